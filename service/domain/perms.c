/* Who may do what, one row per action. Commissioners never see personal data; supervisors and
 * admins have no referral actions yet. */
#include "ij/domain.h"

static const ij_roles k_action_roles[IJ_ACTION__COUNT] = {
    [IJ_ACTION_REFERRAL_CREATE] = IJ_ROLE_OFFICER,
    [IJ_ACTION_REFERRAL_READ] = IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR,
    [IJ_ACTION_REFERRAL_LIST] = IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR,
    [IJ_ACTION_REFERRAL_TRANSITION] = IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR,
};

bool ij_domain_may(ij_roles roles, ij_action action) {
  if ((unsigned)action >= IJ_ACTION__COUNT) {
    return false;
  }
  return (roles & k_action_roles[action]) != 0;
}
