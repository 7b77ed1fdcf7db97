/* Who may do what, one row per action. Commissioners never see personal data; supervisors and
 * admins have no referral actions. Supervisors work on the placements and sessions they run, and
 * officers read the bookings and notices of referrals: which records are theirs is decided by the
 * store's queries, not here. */
#include "ij/domain.h"

static const ij_roles k_action_roles[IJ_ACTION__COUNT] = {
    [IJ_ACTION_REFERRAL_CREATE] = IJ_ROLE_OFFICER,
    [IJ_ACTION_REFERRAL_READ] = IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR,
    [IJ_ACTION_REFERRAL_LIST] = IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR,
    [IJ_ACTION_REFERRAL_TRANSITION] = IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR,
    [IJ_ACTION_PLACEMENT_WRITE] = IJ_ROLE_COORDINATOR,
    [IJ_ACTION_PLACEMENT_READ] = IJ_ROLE_COORDINATOR | IJ_ROLE_SUPERVISOR,
    [IJ_ACTION_SESSION_WRITE] = IJ_ROLE_COORDINATOR,
    [IJ_ACTION_SESSION_READ] = IJ_ROLE_COORDINATOR | IJ_ROLE_SUPERVISOR,
    [IJ_ACTION_BOOKING_WRITE] = IJ_ROLE_COORDINATOR,
    [IJ_ACTION_BOOKING_READ] = IJ_ROLE_COORDINATOR | IJ_ROLE_SUPERVISOR | IJ_ROLE_OFFICER,
    [IJ_ACTION_OUTCOME_RECORD] = IJ_ROLE_COORDINATOR | IJ_ROLE_SUPERVISOR,
    [IJ_ACTION_WORKLIST_READ] = IJ_ROLE_COORDINATOR,
    [IJ_ACTION_NOTICE_READ] = IJ_ROLE_COORDINATOR | IJ_ROLE_ADMIN | IJ_ROLE_OFFICER,
    [IJ_ACTION_FOLLOWUP_READ] = IJ_ROLE_COORDINATOR,
    [IJ_ACTION_FOLLOWUP_WRITE] = IJ_ROLE_COORDINATOR,
    [IJ_ACTION_STATS_READ] =
        IJ_ROLE_COMMISSIONER | IJ_ROLE_COORDINATOR | IJ_ROLE_ADMIN | IJ_ROLE_NATIONAL,
    [IJ_ACTION_STATS_NATIONAL] = IJ_ROLE_NATIONAL,
    [IJ_ACTION_ACCESS_LOG_READ] = IJ_ROLE_ADMIN,
    [IJ_ACTION_WEBHOOK_ADMIN] = IJ_ROLE_ADMIN,
};

bool ij_domain_may(ij_roles roles, ij_action action) {
  if ((unsigned)action >= IJ_ACTION__COUNT) {
    return false;
  }
  return (roles & k_action_roles[action]) != 0;
}
