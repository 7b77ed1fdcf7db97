/* The referral state machine: the whole table walked (state x event x role, from a client and
 * not, owner and not) against an expectation written here from README.md and docs/api-contract.md,
 * every guard on both sides, the order of checks and the allowed events. */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ij/domain.h"

Suite *transitions_suite(void);

/* The referral lifecycle (README.md, docs/api-contract.md) and the enforcement steps
 * (docs/api-contract.md, "Enforcement"), written out independently of the code's table. States and
 * roles are space-separated names. `own_only`: roles that may fire the event only on referrals they
 * made themselves. `to` is "" for an event that leaves the state as it is. */
typedef struct {
  const char *event;
  const char *from;
  const char *to;
  const char *roles;
  const char *own_only;
  bool client;
} expected_rule;

static const expected_rule k_expected[] = {
    {"create", "", "submitted", "officer", "", false},
    {"accept", "submitted", "accepted", "coordinator", "", true},
    {"reject", "submitted", "rejected", "coordinator", "", true},
    {"book", "accepted", "scheduled", "coordinator system", "", false},
    {"unbook", "scheduled", "accepted", "coordinator system", "", false},
    {"attend", "scheduled", "in_progress", "coordinator supervisor system", "", false},
    {"complete", "scheduled in_progress", "completed", "system", "", false},
    {"declare_non_compliance", "scheduled in_progress", "non_compliant", "coordinator", "", true},
    {"withdraw", "submitted accepted scheduled in_progress", "withdrawn", "officer coordinator",
     "officer", true},
    {"close", "completed non_compliant", "closed", "system", "", false},
    {"first_warning", "scheduled in_progress", "", "coordinator", "", true},
    {"second_warning", "scheduled in_progress", "", "coordinator", "", true},
};
#define N_EXPECTED (sizeof k_expected / sizeof k_expected[0])

static const ij_roles k_single_roles[] = {IJ_ROLE_OFFICER,    IJ_ROLE_COORDINATOR,
                                          IJ_ROLE_SUPERVISOR, IJ_ROLE_COMMISSIONER,
                                          IJ_ROLE_ADMIN,      IJ_ROLE_SYSTEM};
#define N_ROLES (sizeof k_single_roles / sizeof k_single_roles[0])

#define OWNER "pc-101"
#define OTHER "pc-202"

/* True when `word` is one of the space-separated words of `list`. */
static bool word_in(const char *list, const char *word) {
  size_t n = strlen(word);
  for (const char *p = list; *p != '\0';) {
    while (*p == ' ') {
      p++;
    }
    const char *end = p;
    while (*end != '\0' && *end != ' ') {
      end++;
    }
    if ((size_t)(end - p) == n && n > 0 && strncmp(p, word, n) == 0) {
      return true;
    }
    p = end;
  }
  return false;
}

static const expected_rule *expected_for(ij_event e) {
  const char *name = ij_event_name(e);
  for (size_t i = 0; name != NULL && i < N_EXPECTED; i++) {
    if (strcmp(k_expected[i].event, name) == 0) {
      return &k_expected[i];
    }
  }
  return NULL;
}

static bool expected_role_may(const expected_rule *x, ij_roles role, bool owner) {
  const char *role_name = ij_role_name(role);
  return word_in(x->roles, role_name) && (owner || !word_in(x->own_only, role_name));
}

/* The enforcement steps' conditions on what is recorded: non-compliance and a first warning need
 * a breach, a first warning no warning before it, a second warning the first and a further breach.
 * The other client events have none. */
static bool expected_facts_allow(const char *event, const ij_referral_facts *f) {
  if (strcmp(event, "declare_non_compliance") == 0) {
    return f->unacceptable_absences >= 1;
  }
  if (strcmp(event, "first_warning") == 0) {
    return f->warnings == 0 && f->unacceptable_absences >= 1;
  }
  if (strcmp(event, "second_warning") == 0) {
    return f->warnings == 1 && f->unacceptable_absences >= 2;
  }
  return true;
}

/* The client events an actor with exactly one role may send in a state with these facts, from
 * k_expected. */
static unsigned expected_allowed(ij_state s, ij_roles role, bool owner,
                                 const ij_referral_facts *f) {
  unsigned mask = 0;
  for (int e = 0; e < IJ_EVENT__COUNT; e++) {
    const expected_rule *x = expected_for((ij_event)e);
    if (x != NULL && x->client && word_in(x->from, ij_state_name(s)) &&
        expected_role_may(x, role, owner) && expected_facts_allow(x->event, f)) {
      mask |= 1u << e;
    }
  }
  return mask;
}

/* Facts that satisfy every fact guard but second_warning's (see facts_for). */
static ij_referral_facts good_facts(ij_state s) {
  ij_referral_facts f = {
      .state = s,
      .officer_sub = OWNER,
      .hours_required = 7,
      .minutes_credited = 7 * 60,
      .unacceptable_absences = 1,
      .warnings = 0,
      .active_bookings = 0,
      .attended = false,
      .last_check_recorded = true,
  };
  return f;
}

/* Facts that satisfy the fact guards of event e: a second warning follows a first one and a
 * further breach. */
static ij_referral_facts facts_for(ij_state s, ij_event e) {
  ij_referral_facts f = good_facts(s);
  if (e == IJ_EVENT_SECOND_WARNING) {
    f.warnings = 1;
    f.unacceptable_absences = 2;
  }
  return f;
}

/* A request that satisfies the request guards of its event. */
static ij_transition_request good_request(ij_event e) {
  ij_transition_request r = {.event = e};
  switch (e) {
  case IJ_EVENT_ACCEPT:
    r.has_hours_confirmed = true;
    r.hours_confirmed = 9;
    r.suitability_notes = "No risks known; suits outdoor work.";
    break;
  case IJ_EVENT_REJECT:
    r.reason_code = "not_eligible";
    break;
  case IJ_EVENT_WITHDRAW:
    r.reason_code = "moved_out_of_area";
    r.reason = "Moved to Leeds";
    break;
  case IJ_EVENT_DECLARE_NON_COMPLIANCE:
    r.reason_code = "not_engaged";
    r.reason = "Missed two sessions without a reason";
    break;
  case IJ_EVENT_FIRST_WARNING:
    r.reason_code = "unacceptable_absence";
    break;
  case IJ_EVENT_SECOND_WARNING:
    r.reason_code = "failed_to_comply";
    r.reason = "Sent home on 3 December";
    break;
  default:
    break;
  }
  return r;
}

static ij_actor actor_with(ij_roles roles, const char *sub) {
  ij_actor a = {.sub = sub, .name = "Test User", .area = "derbyshire", .roles = roles};
  return a;
}

static const ij_field_error *find_error(const ij_field_errors *errs, const char *field) {
  for (int i = 0; i < errs->count; i++) {
    if (strcmp(errs->items[i].field, field) == 0) {
      return &errs->items[i];
    }
  }
  return NULL;
}

/* Runs decide with an actor, facts and request; keeps the outputs for the assertions. */
typedef struct {
  ij_err err;
  ij_decision out;
  unsigned allowed;
  ij_field_errors errs;
} outcome;

static outcome decide(const ij_actor *actor, const ij_referral_facts *facts,
                      const ij_transition_request *req, const ij_area_rules *rules,
                      bool from_client) {
  outcome o;
  memset(&o, 0, sizeof o);
  o.allowed = 0xdeadbeefu;
  ij_field_errors_init(&o.errs);
  o.err = ij_domain_decide(actor, facts, req, rules, from_client, &o.out, &o.allowed, &o.errs);
  return o;
}

static const ij_area_rules k_rules = {2, 20, 7, 48};

/* ---- the whole table ------------------------------------------------------------------------ */

START_TEST(test_expected_table_covers_every_event) {
  for (int e = 0; e < IJ_EVENT__COUNT; e++) {
    ck_assert_msg(expected_for((ij_event)e) != NULL, "event %d has no expectation", e);
  }
  ck_assert_uint_eq(N_EXPECTED, IJ_EVENT__COUNT);
}
END_TEST

/* Mismatches found by a walk, all reported together. Assertions are made once at the end: each
 * Check assertion costs a write to the runner, and one report names every wrong cell. */
typedef struct {
  int count;
  size_t used;
  char text[3000];
} report;

static void note(report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(report *r, const char *fmt, ...) {
  r->count++;
  if (r->used + 1 >= sizeof r->text) {
    return;
  }
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(r->text + r->used, sizeof r->text - r->used, fmt, ap);
  va_end(ap);
  if (n > 0) {
    r->used += (size_t)n;
    if (r->used >= sizeof r->text) {
      r->used = sizeof r->text - 1;
    }
  }
}

/* One cell: event e in state s by an actor with exactly one role. */
static void walk_cell(report *rep, ij_state s, ij_event e, ij_roles role, bool client, bool owner) {
  const expected_rule *x = expected_for(e);
  const char *sname = ij_state_name(s);
  const char *ename = ij_event_name(e);
  const char *rname = ij_role_name(role);
  ij_actor actor = actor_with(role, owner ? OWNER : OTHER);
  ij_referral_facts facts = facts_for(s, e);
  ij_transition_request req = good_request(e);
  outcome o = decide(&actor, &facts, &req, &k_rules, client);

  ij_err want;
  if (!expected_role_may(x, role, owner)) {
    want = IJ_ERR_FORBIDDEN;
  } else if (client && !x->client) {
    want = IJ_ERR_INVALID;
  } else if (!word_in(x->from, sname)) {
    want = IJ_ERR_TRANSITION;
  } else {
    want = IJ_OK;
  }
#define CELL "\n  %s in %s by %s (client=%d owner=%d): "
#define CELL_ARGS ename, sname, rname, client, owner
  if (o.err != want) {
    note(rep, CELL "got %s, want %s", CELL_ARGS, ij_err_name(o.err), ij_err_name(want));
    return;
  }
  const ij_field_error *fe = find_error(&o.errs, "event");
  if (want == IJ_OK) {
    const char *to = x->to[0] != '\0' ? x->to : sname; /* "": the state stays */
    if (strcmp(ij_state_name(o.out.to), to) != 0 || o.out.from != s) {
      note(rep, CELL "went %s -> %s, want %s -> %s", CELL_ARGS, ij_state_name(o.out.from),
           ij_state_name(o.out.to), sname, to);
    }
    if (o.out.acting_role != role) {
      note(rep, CELL "acting role 0x%x", CELL_ARGS, o.out.acting_role);
    }
    if (o.out.hours_required != (e == IJ_EVENT_ACCEPT ? 9 : 7)) {
      note(rep, CELL "hours required %d", CELL_ARGS, o.out.hours_required);
    }
    if (o.errs.count != 0 || o.allowed != 0) {
      note(rep, CELL "%d errors, allowed 0x%x", CELL_ARGS, o.errs.count, o.allowed);
    }
  } else if (fe == NULL) {
    note(rep, CELL "no error on \"event\"", CELL_ARGS);
  } else if (want == IJ_ERR_TRANSITION) {
    unsigned allowed = expected_allowed(s, role, owner, &facts);
    if (o.allowed != allowed) {
      note(rep, CELL "allowed 0x%x, want 0x%x", CELL_ARGS, o.allowed, allowed);
    }
    char msg[128];
    snprintf(msg, sizeof msg, "%s is not allowed in state %s", ename, sname);
    if (strcmp(fe->message, msg) != 0) {
      note(rep, CELL "message \"%s\"", CELL_ARGS, fe->message);
    }
  } else if (o.allowed != 0) {
    note(rep, CELL "allowed 0x%x on %s", CELL_ARGS, o.allowed, ij_err_name(o.err));
  }
#undef CELL
#undef CELL_ARGS
}

/* _i is a state; every event x single role x (from a client or not) x (owner or not) in it. */
START_TEST(test_walk_table) {
  ij_state s = (ij_state)_i;
  report rep = {0};
  int cells = 0;
  for (int e = 0; e < IJ_EVENT__COUNT; e++) {
    ck_assert_ptr_nonnull(expected_for((ij_event)e));
    for (size_t r = 0; r < N_ROLES; r++) {
      for (int client = 0; client <= 1; client++) {
        for (int owner = 0; owner <= 1; owner++) {
          walk_cell(&rep, s, (ij_event)e, k_single_roles[r], client != 0, owner != 0);
          cells++;
        }
      }
    }
  }
  ck_assert_int_eq(cells, IJ_EVENT__COUNT * (int)N_ROLES * 4);
  ck_assert_msg(rep.count == 0, "state %s: %d wrong cells:%s", ij_state_name(s), rep.count,
                rep.text);
}
END_TEST

START_TEST(test_table_rows_match_spec) {
  size_t n = 0;
  const ij_transition_rule *rules = ij_domain_transitions(&n);
  ck_assert_ptr_nonnull(rules);
  ck_assert_uint_eq(n, IJ_EVENT__COUNT);
  for (size_t i = 0; i < n; i++) {
    const ij_transition_rule *r = &rules[i];
    const expected_rule *x = expected_for(r->event);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(r->event, (int)i);
    ck_assert_int_eq(r->stays, x->to[0] == '\0');
    if (!r->stays) {
      ck_assert_str_eq(ij_state_name(r->to), x->to);
    }
    ck_assert_int_eq(r->client, x->client);
    for (int s = 0; s < IJ_STATE__COUNT; s++) {
      ck_assert_int_eq((r->from_mask >> s) & 1u, word_in(x->from, ij_state_name((ij_state)s)));
    }
    ck_assert_uint_eq(r->from_mask >> IJ_STATE__COUNT, 0);
    for (size_t k = 0; k < N_ROLES; k++) {
      ck_assert_int_eq((r->roles & k_single_roles[k]) != 0,
                       word_in(x->roles, ij_role_name(k_single_roles[k])));
    }
  }
}
END_TEST

/* ---- actors with several roles -------------------------------------------------------------- */

START_TEST(test_withdraw_officer_and_coordinator) {
  ij_actor both = actor_with(IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_ACCEPTED);
  ij_transition_request req = good_request(IJ_EVENT_WITHDRAW);
  outcome o = decide(&both, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_uint_eq(o.out.acting_role, IJ_ROLE_COORDINATOR);
  ck_assert_int_eq(o.out.to, IJ_STATE_WITHDRAWN);

  both.sub = OWNER;
  o = decide(&both, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_uint_eq(o.out.acting_role, IJ_ROLE_OFFICER);
}
END_TEST

START_TEST(test_withdraw_officer_and_supervisor_not_owner) {
  ij_actor a = actor_with(IJ_ROLE_OFFICER | IJ_ROLE_SUPERVISOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_SUBMITTED);
  ij_transition_request req = good_request(IJ_EVENT_WITHDRAW);
  outcome o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_FORBIDDEN);
  ck_assert_ptr_nonnull(find_error(&o.errs, "event"));
}
END_TEST

START_TEST(test_withdraw_owner_unknown) {
  /* A referral without a recorded officer, or an actor without a subject, is nobody's own. */
  ij_actor a = actor_with(IJ_ROLE_OFFICER, OWNER);
  ij_referral_facts facts = good_facts(IJ_STATE_SUBMITTED);
  facts.officer_sub = NULL;
  ij_transition_request req = good_request(IJ_EVENT_WITHDRAW);
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, true).err, IJ_ERR_FORBIDDEN);
  facts.officer_sub = OWNER;
  a.sub = NULL;
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, true).err, IJ_ERR_FORBIDDEN);
  /* Ownership is exact. */
  a.sub = "pc-1011";
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, true).err, IJ_ERR_FORBIDDEN);
}
END_TEST

START_TEST(test_acting_role_is_lowest_allowed_bit) {
  ij_actor a = actor_with(IJ_ROLE_SUPERVISOR | IJ_ROLE_SYSTEM | IJ_ROLE_ADMIN, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_SCHEDULED);
  ij_transition_request req = good_request(IJ_EVENT_ATTEND);
  outcome o = decide(&a, &facts, &req, &k_rules, false);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_uint_eq(o.out.acting_role, IJ_ROLE_SUPERVISOR);

  a.roles = IJ_ROLE_COORDINATOR | IJ_ROLE_SUPERVISOR | IJ_ROLE_SYSTEM;
  o = decide(&a, &facts, &req, &k_rules, false);
  ck_assert_uint_eq(o.out.acting_role, IJ_ROLE_COORDINATOR);

  a.roles = IJ_ROLE_COMMISSIONER | IJ_ROLE_ADMIN;
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, false).err, IJ_ERR_FORBIDDEN);
}
END_TEST

/* ---- the order of checks -------------------------------------------------------------------- */

START_TEST(test_order_role_before_state) {
  /* An officer withdrawing another officer's closed referral: forbidden, not illegal. */
  ij_actor a = actor_with(IJ_ROLE_OFFICER, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_CLOSED);
  ij_transition_request req = good_request(IJ_EVENT_WITHDRAW);
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, true).err, IJ_ERR_FORBIDDEN);
  /* A supervisor sending accept in a wrong state with no data: forbidden. */
  a = actor_with(IJ_ROLE_SUPERVISOR, OTHER);
  req = (ij_transition_request){.event = IJ_EVENT_ACCEPT};
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, true).err, IJ_ERR_FORBIDDEN);
}
END_TEST

START_TEST(test_order_client_before_state) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_CLOSED);
  ij_transition_request req = good_request(IJ_EVENT_BOOK);
  outcome o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&o.errs, "event"));
  ck_assert_uint_eq(o.allowed, 0);
}
END_TEST

START_TEST(test_order_state_before_request) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_CLOSED);
  ij_transition_request req = {.event = IJ_EVENT_ACCEPT, .reason_code = "Not A Code"};
  outcome o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_TRANSITION);
  ck_assert_int_eq(o.errs.count, 1);
  ck_assert_uint_eq(o.allowed, 0);
}
END_TEST

START_TEST(test_order_request_before_facts) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_SCHEDULED);
  facts.unacceptable_absences = 0;
  ij_transition_request req = good_request(IJ_EVENT_DECLARE_NON_COMPLIANCE);
  req.reason = NULL;
  outcome o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&o.errs, "reason"));
  ck_assert_ptr_null(find_error(&o.errs, "event"));
}
END_TEST

START_TEST(test_null_outputs_and_inputs) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_CLOSED);
  ij_transition_request req = good_request(IJ_EVENT_ACCEPT);
  ij_decision out;
  /* allowed_events and errs are optional. */
  ck_assert_int_eq(ij_domain_decide(&a, &facts, &req, &k_rules, true, &out, NULL, NULL),
                   IJ_ERR_TRANSITION);
  facts.state = IJ_STATE_SUBMITTED;
  ck_assert_int_eq(ij_domain_decide(&a, &facts, &req, NULL, true, &out, NULL, NULL), IJ_OK);
  ck_assert_int_eq(out.hours_required, 9);
  req.hours_confirmed = 21; /* over the default maximum when no rules are given */
  ck_assert_int_eq(ij_domain_decide(&a, &facts, &req, NULL, true, &out, NULL, NULL),
                   IJ_ERR_INVALID);
  /* Missing inputs are the caller's bug. */
  ck_assert_int_eq(ij_domain_decide(NULL, &facts, &req, &k_rules, true, &out, NULL, NULL),
                   IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_domain_decide(&a, NULL, &req, &k_rules, true, &out, NULL, NULL),
                   IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_domain_decide(&a, &facts, NULL, &k_rules, true, &out, NULL, NULL),
                   IJ_ERR_INTERNAL);
  ck_assert_int_eq(ij_domain_decide(&a, &facts, &req, &k_rules, true, NULL, NULL, NULL),
                   IJ_ERR_INTERNAL);
  ck_assert_uint_eq(ij_domain_allowed_events(NULL, &facts), 0);
  ck_assert_uint_eq(ij_domain_allowed_events(&a, NULL), 0);
}
END_TEST

START_TEST(test_unknown_event_and_state) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_SUBMITTED);
  ij_transition_request req = {.event = (ij_event)IJ_EVENT__COUNT};
  outcome o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&o.errs, "event"));
  facts.state = (ij_state)IJ_STATE__COUNT;
  req = good_request(IJ_EVENT_ACCEPT);
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, true).err, IJ_ERR_INTERNAL);
  ck_assert_uint_eq(ij_domain_allowed_events(&a, &facts), 0);
}
END_TEST

/* ---- request guards ------------------------------------------------------------------------- */

static outcome accept_with_hours(const ij_area_rules *rules, int hours) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_SUBMITTED);
  ij_transition_request req = good_request(IJ_EVENT_ACCEPT);
  req.hours_confirmed = hours;
  return decide(&a, &facts, &req, rules, true);
}

START_TEST(test_accept_hours_bounds) {
  const ij_area_rules custom = {3, 10, 5, 24};
  const ij_area_rules *sets[] = {&k_rules, &custom};
  for (size_t i = 0; i < 2; i++) {
    const ij_area_rules *r = sets[i];
    outcome o = accept_with_hours(r, r->hours_min - 1);
    ck_assert_int_eq(o.err, IJ_ERR_INVALID);
    ck_assert_ptr_nonnull(find_error(&o.errs, "hours_confirmed"));
    ck_assert_int_eq(o.errs.count, 1);

    o = accept_with_hours(r, r->hours_min);
    ck_assert_int_eq(o.err, IJ_OK);
    ck_assert_int_eq(o.out.hours_required, r->hours_min);

    o = accept_with_hours(r, r->hours_max);
    ck_assert_int_eq(o.err, IJ_OK);
    ck_assert_int_eq(o.out.hours_required, r->hours_max);

    o = accept_with_hours(r, r->hours_max + 1);
    ck_assert_int_eq(o.err, IJ_ERR_INVALID);
    ck_assert_ptr_nonnull(find_error(&o.errs, "hours_confirmed"));
  }
  char want[64];
  snprintf(want, sizeof want, "must be between %d and %d hours", custom.hours_min,
           custom.hours_max);
  outcome o = accept_with_hours(&custom, 11);
  ck_assert_str_eq(find_error(&o.errs, "hours_confirmed")->message, want);
}
END_TEST

/* Accepting records the suitability and risk notes (required) and confirms the hours: those
 * given, within the area's bounds, else the proposed ones. */
START_TEST(test_accept_requires_notes_and_defaults_the_hours) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = good_facts(IJ_STATE_SUBMITTED);
  ij_transition_request req = {.event = IJ_EVENT_ACCEPT};
  outcome o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_int_eq(o.errs.count, 1);
  ck_assert_str_eq(find_error(&o.errs, "suitability_notes")->message, "is required");

  req.suitability_notes = "Suits outdoor work.";
  o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_int_eq(o.out.hours_required, facts.hours_required); /* the proposed hours */
  ck_assert_int_eq(o.out.hours_confirmed, facts.hours_required);
  req.has_hours_confirmed = true;
  req.hours_confirmed = 12;
  o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_int_eq(o.out.hours_required, 12);
  ck_assert_int_eq(o.out.hours_confirmed, 12);
  /* no other event confirms hours */
  ij_referral_facts scheduled = good_facts(IJ_STATE_SCHEDULED);
  ij_transition_request withdraw = good_request(IJ_EVENT_WITHDRAW);
  ck_assert_int_eq(decide(&a, &scheduled, &withdraw, &k_rules, true).out.hours_confirmed, 0);

  req = good_request(IJ_EVENT_ACCEPT);
  req.suitability_notes = " \t\n";
  o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&o.errs, "suitability_notes"));

  static char notes[IJ_MAX_NOTE + 2];
  memset(notes, 'n', IJ_MAX_NOTE);
  notes[IJ_MAX_NOTE] = '\0';
  req.suitability_notes = notes;
  ck_assert_int_eq(decide(&a, &facts, &req, &k_rules, true).err, IJ_OK);
  notes[IJ_MAX_NOTE] = 'n';
  notes[IJ_MAX_NOTE + 1] = '\0';
  o = decide(&a, &facts, &req, &k_rules, true);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&o.errs, "suitability_notes"));
}
END_TEST

static outcome send_reason(ij_event e, ij_state s, const char *code, const char *reason) {
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  ij_referral_facts facts = facts_for(s, e);
  ij_transition_request req = {.event = e, .reason_code = code, .reason = reason};
  return decide(&a, &facts, &req, &k_rules, true);
}

START_TEST(test_reason_code_guards) {
  static const struct {
    ij_event event;
    ij_state state;
    const char *kind;
  } cases[] = {
      {IJ_EVENT_REJECT, IJ_STATE_SUBMITTED, "reject"},
      {IJ_EVENT_WITHDRAW, IJ_STATE_IN_PROGRESS, "withdraw"},
      {IJ_EVENT_DECLARE_NON_COMPLIANCE, IJ_STATE_SCHEDULED, "non_compliance"},
      {IJ_EVENT_FIRST_WARNING, IJ_STATE_SCHEDULED, "warning"},
      {IJ_EVENT_SECOND_WARNING, IJ_STATE_IN_PROGRESS, "warning"},
  };
  char code64[IJ_MAX_CODE + 1], code65[IJ_MAX_CODE + 2];
  memset(code64, 'a', IJ_MAX_CODE);
  code64[IJ_MAX_CODE] = '\0';
  memset(code65, 'a', IJ_MAX_CODE + 1);
  code65[IJ_MAX_CODE + 1] = '\0';
  const char *bad[] = {"", "Not_Eligible", "not-eligible", "not eligible", "é", code65};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    outcome o = send_reason(cases[i].event, cases[i].state, NULL, "text");
    ck_assert_int_eq(o.err, IJ_ERR_INVALID);
    ck_assert_str_eq(find_error(&o.errs, "reason_code")->message, "is required");
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
      o = send_reason(cases[i].event, cases[i].state, bad[k], "text");
      ck_assert_msg(o.err == IJ_ERR_INVALID, "code '%s' accepted", bad[k]);
      ck_assert_ptr_nonnull(find_error(&o.errs, "reason_code"));
    }
    o = send_reason(cases[i].event, cases[i].state, code64, "text");
    ck_assert_int_eq(o.err, IJ_OK);
    o = send_reason(cases[i].event, cases[i].state, "made_by_mistake_2", "text");
    ck_assert_int_eq(o.err, IJ_OK);
    ck_assert_str_eq(o.out.reason_kind, cases[i].kind);
    ck_assert_str_eq(ij_domain_reason_kind(cases[i].event), cases[i].kind);
  }
}
END_TEST

START_TEST(test_reason_text) {
  /* Optional for reject and withdraw, required and not blank for non-compliance. */
  ck_assert_int_eq(send_reason(IJ_EVENT_REJECT, IJ_STATE_SUBMITTED, "duplicate", NULL).err, IJ_OK);
  ck_assert_int_eq(send_reason(IJ_EVENT_WITHDRAW, IJ_STATE_SUBMITTED, "died", NULL).err, IJ_OK);
  outcome o = send_reason(IJ_EVENT_DECLARE_NON_COMPLIANCE, IJ_STATE_SCHEDULED, "not_engaged", NULL);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_str_eq(find_error(&o.errs, "reason")->message, "is required");
  o = send_reason(IJ_EVENT_DECLARE_NON_COMPLIANCE, IJ_STATE_SCHEDULED, "not_engaged", "  ");
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&o.errs, "reason"));
  o = send_reason(IJ_EVENT_DECLARE_NON_COMPLIANCE, IJ_STATE_IN_PROGRESS, "not_engaged", "absent");
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_int_eq(o.out.to, IJ_STATE_NON_COMPLIANT);

  static char long_reason[IJ_MAX_NOTE + 2];
  memset(long_reason, 'r', IJ_MAX_NOTE + 1);
  long_reason[IJ_MAX_NOTE + 1] = '\0';
  o = send_reason(IJ_EVENT_REJECT, IJ_STATE_SUBMITTED, "duplicate", long_reason);
  ck_assert_int_eq(o.err, IJ_ERR_INVALID);
  ck_assert_ptr_nonnull(find_error(&o.errs, "reason"));
  long_reason[IJ_MAX_NOTE] = '\0';
  ck_assert_int_eq(send_reason(IJ_EVENT_REJECT, IJ_STATE_SUBMITTED, "duplicate", long_reason).err,
                   IJ_OK);
}
END_TEST

/* Every event that can succeed refuses each field it does not use, naming it. */
START_TEST(test_unused_fields_refused) {
  static const char *const fields[] = {"reason_code", "reason", "hours_confirmed",
                                       "suitability_notes"};
  for (int e = 0; e < IJ_EVENT__COUNT; e++) {
    const expected_rule *x = expected_for((ij_event)e);
    ij_state from = IJ_STATE__COUNT;
    for (int s = 0; s < IJ_STATE__COUNT; s++) {
      if (word_in(x->from, ij_state_name((ij_state)s))) {
        from = (ij_state)s;
        break;
      }
    }
    if (from == IJ_STATE__COUNT) {
      continue; /* create: never a transition of an existing referral */
    }
    ij_actor a = actor_with(IJ_ROLE_COORDINATOR | IJ_ROLE_SYSTEM, OTHER);
    ij_referral_facts facts = facts_for(from, (ij_event)e);
    int refused = 0;
    for (size_t f = 0; f < 4; f++) {
      ij_transition_request req = good_request((ij_event)e);
      bool used;
      switch (f) {
      case 0:
        used = req.reason_code != NULL;
        req.reason_code = "other";
        break;
      case 1:
        used = req.reason != NULL || e == IJ_EVENT_REJECT || e == IJ_EVENT_FIRST_WARNING;
        req.reason = "some text";
        break;
      case 2:
        used = req.has_hours_confirmed;
        req.has_hours_confirmed = true;
        req.hours_confirmed = 7;
        break;
      default:
        used = req.suitability_notes != NULL;
        req.suitability_notes = "notes";
        break;
      }
      outcome o = decide(&a, &facts, &req, &k_rules, false);
      if (used) {
        ck_assert_msg(o.err == IJ_OK, "%s with %s: %s", x->event, fields[f], ij_err_name(o.err));
        continue;
      }
      refused++;
      ck_assert_msg(o.err == IJ_ERR_INVALID, "%s accepted unused %s", x->event, fields[f]);
      const ij_field_error *fe = find_error(&o.errs, fields[f]);
      ck_assert_ptr_nonnull(fe);
      char want[96];
      snprintf(want, sizeof want, "is not used by the %s event", x->event);
      ck_assert_str_eq(fe->message, want);
    }
    ck_assert_int_ge(refused, 2);
  }
}
END_TEST

/* ---- fact guards ---------------------------------------------------------------------------- */

static outcome fire(ij_roles role, ij_event e, const ij_referral_facts *facts, bool from_client) {
  ij_actor a = actor_with(role, OTHER);
  ij_transition_request req = good_request(e);
  return decide(&a, &facts[0], &req, &k_rules, from_client);
}

START_TEST(test_non_compliance_needs_an_absence) {
  ij_referral_facts f = good_facts(IJ_STATE_SCHEDULED);
  f.unacceptable_absences = 0;
  outcome o = fire(IJ_ROLE_COORDINATOR, IJ_EVENT_DECLARE_NON_COMPLIANCE, &f, true);
  ck_assert_int_eq(o.err, IJ_ERR_CONFLICT);
  const ij_field_error *fe = find_error(&o.errs, "event");
  ck_assert_ptr_nonnull(fe);
  ck_assert_ptr_nonnull(strstr(fe->message, "unacceptable absence or failure to comply"));
  f.unacceptable_absences = 1;
  ck_assert_int_eq(fire(IJ_ROLE_COORDINATOR, IJ_EVENT_DECLARE_NON_COMPLIANCE, &f, true).err, IJ_OK);
  f.unacceptable_absences = 3;
  ck_assert_int_eq(fire(IJ_ROLE_COORDINATOR, IJ_EVENT_DECLARE_NON_COMPLIANCE, &f, true).err, IJ_OK);
}
END_TEST

START_TEST(test_complete_needs_the_hours) {
  ij_referral_facts f = good_facts(IJ_STATE_IN_PROGRESS);
  f.hours_required = 7;
  f.minutes_credited = 7 * 60 - 1;
  outcome o = fire(IJ_ROLE_SYSTEM, IJ_EVENT_COMPLETE, &f, false);
  ck_assert_int_eq(o.err, IJ_ERR_CONFLICT);
  ck_assert_ptr_nonnull(find_error(&o.errs, "event"));
  f.minutes_credited = 0;
  ck_assert_int_eq(fire(IJ_ROLE_SYSTEM, IJ_EVENT_COMPLETE, &f, false).err, IJ_ERR_CONFLICT);
  f.minutes_credited = 7 * 60;
  o = fire(IJ_ROLE_SYSTEM, IJ_EVENT_COMPLETE, &f, false);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_int_eq(o.out.to, IJ_STATE_COMPLETED);
  ck_assert_int_eq(o.out.hours_required, 7);
  f.minutes_credited = 20 * 60;
  ck_assert_int_eq(fire(IJ_ROLE_SYSTEM, IJ_EVENT_COMPLETE, &f, false).err, IJ_OK);
  f.hours_required = 20;
  f.minutes_credited = 20 * 60 - 1;
  ck_assert_int_eq(fire(IJ_ROLE_SYSTEM, IJ_EVENT_COMPLETE, &f, false).err, IJ_ERR_CONFLICT);
}
END_TEST

START_TEST(test_close_needs_the_last_check) {
  ij_referral_facts f = good_facts(IJ_STATE_NON_COMPLIANT);
  f.last_check_recorded = false;
  outcome o = fire(IJ_ROLE_SYSTEM, IJ_EVENT_CLOSE, &f, false);
  ck_assert_int_eq(o.err, IJ_ERR_CONFLICT);
  ck_assert_ptr_nonnull(find_error(&o.errs, "event"));
  f.last_check_recorded = true;
  ck_assert_int_eq(fire(IJ_ROLE_SYSTEM, IJ_EVENT_CLOSE, &f, false).err, IJ_OK);
}
END_TEST

START_TEST(test_unbook_needs_no_bookings_and_no_attendance) {
  ij_referral_facts f = good_facts(IJ_STATE_SCHEDULED);
  f.active_bookings = 1;
  outcome o = fire(IJ_ROLE_COORDINATOR, IJ_EVENT_UNBOOK, &f, false);
  ck_assert_int_eq(o.err, IJ_ERR_CONFLICT);
  ck_assert_ptr_nonnull(find_error(&o.errs, "event"));
  f.active_bookings = 0;
  f.attended = true;
  ck_assert_int_eq(fire(IJ_ROLE_SYSTEM, IJ_EVENT_UNBOOK, &f, false).err, IJ_ERR_CONFLICT);
  f.attended = false;
  o = fire(IJ_ROLE_SYSTEM, IJ_EVENT_UNBOOK, &f, false);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_int_eq(o.out.to, IJ_STATE_ACCEPTED);
}
END_TEST

/* Fires a warning with warnings given and breaches recorded; the state is kept. */
static outcome warn(ij_event e, ij_state s, int warnings, int breaches) {
  ij_referral_facts f = good_facts(s);
  f.warnings = warnings;
  f.unacceptable_absences = breaches;
  return fire(IJ_ROLE_COORDINATOR, e, &f, true);
}

static void assert_refused_on_event(outcome o, const char *words) {
  ck_assert_int_eq(o.err, IJ_ERR_CONFLICT);
  ck_assert_int_eq(o.errs.count, 1);
  const ij_field_error *fe = find_error(&o.errs, "event");
  ck_assert_ptr_nonnull(fe);
  ck_assert_msg(strstr(fe->message, words) != NULL, "\"%s\" lacks \"%s\"", fe->message, words);
}

START_TEST(test_first_warning_guards) {
  const ij_state states[] = {IJ_STATE_SCHEDULED, IJ_STATE_IN_PROGRESS};
  for (size_t i = 0; i < 2; i++) {
    ij_state st = states[i];
    /* needs a breach */
    assert_refused_on_event(warn(IJ_EVENT_FIRST_WARNING, st, 0, 0), "first warning needs");
    outcome o = warn(IJ_EVENT_FIRST_WARNING, st, 0, 1);
    ck_assert_int_eq(o.err, IJ_OK);
    ck_assert_int_eq(o.out.from, st);
    ck_assert_int_eq(o.out.to, st);
    ck_assert_str_eq(o.out.reason_kind, "warning");
    ck_assert_uint_eq(o.out.acting_role, IJ_ROLE_COORDINATOR);
    ck_assert_int_eq(o.errs.count, 0);
    ck_assert_int_eq(warn(IJ_EVENT_FIRST_WARNING, st, 0, 2).err, IJ_OK);
    /* and no warning given yet */
    assert_refused_on_event(warn(IJ_EVENT_FIRST_WARNING, st, 1, 1), "already been given");
    assert_refused_on_event(warn(IJ_EVENT_FIRST_WARNING, st, 1, 5), "already been given");
    assert_refused_on_event(warn(IJ_EVENT_FIRST_WARNING, st, 2, 5), "already been given");
  }
}
END_TEST

START_TEST(test_second_warning_guards) {
  const ij_state states[] = {IJ_STATE_SCHEDULED, IJ_STATE_IN_PROGRESS};
  for (size_t i = 0; i < 2; i++) {
    ij_state st = states[i];
    /* needs a first warning */
    assert_refused_on_event(warn(IJ_EVENT_SECOND_WARNING, st, 0, 2), "first warning");
    assert_refused_on_event(warn(IJ_EVENT_SECOND_WARNING, st, 0, 5), "first warning");
    /* and a further breach */
    assert_refused_on_event(warn(IJ_EVENT_SECOND_WARNING, st, 1, 1), "further breach");
    assert_refused_on_event(warn(IJ_EVENT_SECOND_WARNING, st, 1, 0), "further breach");
    outcome o = warn(IJ_EVENT_SECOND_WARNING, st, 1, 2);
    ck_assert_int_eq(o.err, IJ_OK);
    ck_assert_int_eq(o.out.from, st);
    ck_assert_int_eq(o.out.to, st);
    ck_assert_str_eq(o.out.reason_kind, "warning");
    ck_assert_int_eq(warn(IJ_EVENT_SECOND_WARNING, st, 1, 3).err, IJ_OK);
    /* only once */
    assert_refused_on_event(warn(IJ_EVENT_SECOND_WARNING, st, 2, 2), "already been given");
    assert_refused_on_event(warn(IJ_EVENT_SECOND_WARNING, st, 2, 9), "already been given");
  }
}
END_TEST

START_TEST(test_warning_requests) {
  /* A reason code of the "warning" list is required, the reason is optional; the request is
   * checked before the facts. */
  const ij_event events[] = {IJ_EVENT_FIRST_WARNING, IJ_EVENT_SECOND_WARNING};
  for (size_t i = 0; i < 2; i++) {
    ij_event e = events[i];
    ck_assert_int_eq(send_reason(e, IJ_STATE_SCHEDULED, "unacceptable_absence", NULL).err, IJ_OK);
    ck_assert_int_eq(send_reason(e, IJ_STATE_SCHEDULED, "unacceptable_absence", "text").err, IJ_OK);
    outcome o = send_reason(e, IJ_STATE_SCHEDULED, NULL, NULL);
    ck_assert_int_eq(o.err, IJ_ERR_INVALID);
    ck_assert_str_eq(find_error(&o.errs, "reason_code")->message, "is required");
    static char long_reason[IJ_MAX_NOTE + 2];
    memset(long_reason, 'r', IJ_MAX_NOTE + 1);
    long_reason[IJ_MAX_NOTE + 1] = '\0';
    o = send_reason(e, IJ_STATE_SCHEDULED, "unacceptable_absence", long_reason);
    ck_assert_int_eq(o.err, IJ_ERR_INVALID);
    ck_assert_ptr_nonnull(find_error(&o.errs, "reason"));

    ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
    ij_referral_facts f = good_facts(IJ_STATE_IN_PROGRESS);
    f.unacceptable_absences = 0;
    f.warnings = 2;
    ij_transition_request req = {.event = e, .reason_code = "Bad Code"};
    o = decide(&a, &f, &req, &k_rules, true);
    ck_assert_int_eq(o.err, IJ_ERR_INVALID);
    ck_assert_ptr_null(find_error(&o.errs, "event"));
    /* Hours and suitability notes are not a warning's. */
    req = good_request(e);
    req.has_hours_confirmed = true;
    req.hours_confirmed = 7;
    f = facts_for(IJ_STATE_IN_PROGRESS, e);
    o = decide(&a, &f, &req, &k_rules, true);
    ck_assert_int_eq(o.err, IJ_ERR_INVALID);
    ck_assert_ptr_nonnull(find_error(&o.errs, "hours_confirmed"));
  }
}
END_TEST

START_TEST(test_warnings_by_other_roles_and_states) {
  const ij_event events[] = {IJ_EVENT_FIRST_WARNING, IJ_EVENT_SECOND_WARNING};
  for (size_t i = 0; i < 2; i++) {
    ij_event e = events[i];
    ij_referral_facts f = facts_for(IJ_STATE_SCHEDULED, e);
    /* only a coordinator; the referring officer may not warn */
    ck_assert_int_eq(fire(IJ_ROLE_SUPERVISOR, e, &f, true).err, IJ_ERR_FORBIDDEN);
    ck_assert_int_eq(fire(IJ_ROLE_SYSTEM, e, &f, false).err, IJ_ERR_FORBIDDEN);
    ij_actor own = actor_with(IJ_ROLE_OFFICER, OWNER);
    ij_transition_request req = good_request(e);
    ck_assert_int_eq(decide(&own, &f, &req, &k_rules, true).err, IJ_ERR_FORBIDDEN);
    /* not before scheduling nor after the end */
    const ij_state refused[] = {IJ_STATE_SUBMITTED, IJ_STATE_ACCEPTED, IJ_STATE_COMPLETED,
                                IJ_STATE_NON_COMPLIANT, IJ_STATE_WITHDRAWN};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
      f = facts_for(refused[k], e);
      outcome o = fire(IJ_ROLE_COORDINATOR, e, &f, true);
      ck_assert_int_eq(o.err, IJ_ERR_TRANSITION);
      ck_assert_ptr_nonnull(find_error(&o.errs, "event"));
    }
    /* a coordinator's warning also passes when the service records it (not from a client) */
    f = facts_for(IJ_STATE_IN_PROGRESS, e);
    outcome o = fire(IJ_ROLE_COORDINATOR, e, &f, false);
    ck_assert_int_eq(o.err, IJ_OK);
    ck_assert_int_eq(o.out.to, IJ_STATE_IN_PROGRESS);
  }
}
END_TEST

START_TEST(test_reason_kinds) {
  ck_assert_str_eq(ij_domain_reason_kind(IJ_EVENT_REJECT), "reject");
  ck_assert_str_eq(ij_domain_reason_kind(IJ_EVENT_WITHDRAW), "withdraw");
  ck_assert_str_eq(ij_domain_reason_kind(IJ_EVENT_DECLARE_NON_COMPLIANCE), "non_compliance");
  ck_assert_str_eq(ij_domain_reason_kind(IJ_EVENT_FIRST_WARNING), "warning");
  ck_assert_str_eq(ij_domain_reason_kind(IJ_EVENT_SECOND_WARNING), "warning");
  const ij_event none[] = {IJ_EVENT_CREATE, IJ_EVENT_ACCEPT,   IJ_EVENT_BOOK, IJ_EVENT_UNBOOK,
                           IJ_EVENT_ATTEND, IJ_EVENT_COMPLETE, IJ_EVENT_CLOSE};
  for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
    ck_assert_ptr_null(ij_domain_reason_kind(none[i]));
  }
  ck_assert_ptr_null(ij_domain_reason_kind((ij_event)IJ_EVENT__COUNT));
  /* The decision carries no kind for an event without a reason code. */
  ij_referral_facts f = good_facts(IJ_STATE_SUBMITTED);
  outcome o = fire(IJ_ROLE_COORDINATOR, IJ_EVENT_ACCEPT, &f, true);
  ck_assert_int_eq(o.err, IJ_OK);
  ck_assert_ptr_null(o.out.reason_kind);
}
END_TEST

/* ---- allowed events, written out per state -------------------------------------------------- */

#define EV(e) (1u << (e))
#define ACC EV(IJ_EVENT_ACCEPT)
#define REJ EV(IJ_EVENT_REJECT)
#define DNC EV(IJ_EVENT_DECLARE_NON_COMPLIANCE)
#define WDR EV(IJ_EVENT_WITHDRAW)
#define FW EV(IJ_EVENT_FIRST_WARNING)
#define SW EV(IJ_EVENT_SECOND_WARNING)

START_TEST(test_allowed_events_per_state) {
  /* indexed by state, in IJ_STATE_LIST order */
  static const unsigned coordinator[IJ_STATE__COUNT] = {
      [IJ_STATE_SUBMITTED] = ACC | REJ | WDR,
      [IJ_STATE_ACCEPTED] = WDR,
      /* good_facts: one breach, no warning yet, so no second warning */
      [IJ_STATE_SCHEDULED] = DNC | WDR | FW,
      [IJ_STATE_IN_PROGRESS] = DNC | WDR | FW,
  };
  static const unsigned own_officer[IJ_STATE__COUNT] = {
      [IJ_STATE_SUBMITTED] = WDR,
      [IJ_STATE_ACCEPTED] = WDR,
      [IJ_STATE_SCHEDULED] = WDR,
      [IJ_STATE_IN_PROGRESS] = WDR,
  };
  for (int s = 0; s < IJ_STATE__COUNT; s++) {
    ij_referral_facts f = good_facts((ij_state)s);
    const char *name = ij_state_name((ij_state)s);
    ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
    ck_assert_msg(ij_domain_allowed_events(&a, &f) == coordinator[s], "coordinator in %s", name);
    a = actor_with(IJ_ROLE_COORDINATOR, OWNER);
    ck_assert_msg(ij_domain_allowed_events(&a, &f) == coordinator[s], "coordinator in %s", name);
    a = actor_with(IJ_ROLE_OFFICER, OWNER);
    ck_assert_msg(ij_domain_allowed_events(&a, &f) == own_officer[s], "officer in %s", name);
    a = actor_with(IJ_ROLE_OFFICER, OTHER);
    ck_assert_msg(ij_domain_allowed_events(&a, &f) == 0, "other officer in %s", name);
    a = actor_with(IJ_ROLE_OFFICER | IJ_ROLE_COORDINATOR, OTHER);
    ck_assert_msg(ij_domain_allowed_events(&a, &f) == coordinator[s], "officer+coord in %s", name);
    const ij_roles none[] = {IJ_ROLE_SUPERVISOR,
                             IJ_ROLE_COMMISSIONER,
                             IJ_ROLE_ADMIN,
                             IJ_ROLE_SYSTEM,
                             0,
                             IJ_ROLE_SUPERVISOR | IJ_ROLE_COMMISSIONER | IJ_ROLE_ADMIN |
                                 IJ_ROLE_SYSTEM};
    for (size_t k = 0; k < sizeof none / sizeof none[0]; k++) {
      a = actor_with(none[k], OWNER);
      ck_assert_msg(ij_domain_allowed_events(&a, &f) == 0, "roles 0x%x in %s", none[k], name);
    }
    /* and the same as derived from the expectation above */
    for (size_t k = 0; k < N_ROLES; k++) {
      for (int owner = 0; owner <= 1; owner++) {
        a = actor_with(k_single_roles[k], owner ? OWNER : OTHER);
        ck_assert_uint_eq(ij_domain_allowed_events(&a, &f),
                          expected_allowed((ij_state)s, k_single_roles[k], owner != 0, &f));
      }
    }
  }
}
END_TEST

START_TEST(test_allowed_events_follow_fact_guards) {
  /* Allowed events name what would be accepted now, the recorded facts included. */
  ij_referral_facts f = good_facts(IJ_STATE_SCHEDULED);
  ij_actor a = actor_with(IJ_ROLE_COORDINATOR, OTHER);
  f.unacceptable_absences = 0;
  ck_assert_uint_eq(ij_domain_allowed_events(&a, &f), WDR);
  f.unacceptable_absences = 1;
  ck_assert_uint_eq(ij_domain_allowed_events(&a, &f), DNC | WDR | FW);
  f.warnings = 1; /* warned about that breach: a second warning needs another */
  ck_assert_uint_eq(ij_domain_allowed_events(&a, &f), DNC | WDR);
  f.unacceptable_absences = 2;
  ck_assert_uint_eq(ij_domain_allowed_events(&a, &f), DNC | WDR | SW);
  f.warnings = 2;
  ck_assert_uint_eq(ij_domain_allowed_events(&a, &f), DNC | WDR);
  /* each listed event is accepted, each other refused */
  for (int w = 0; w <= 2; w++) {
    for (int b = 0; b <= 3; b++) {
      f.warnings = w;
      f.unacceptable_absences = b;
      unsigned mask = ij_domain_allowed_events(&a, &f);
      for (int e = 0; e < IJ_EVENT__COUNT; e++) {
        const expected_rule *x = expected_for((ij_event)e);
        if (!x->client || e == IJ_EVENT_ACCEPT || e == IJ_EVENT_REJECT) {
          continue;
        }
        ij_transition_request req = good_request((ij_event)e);
        bool accepted = decide(&a, &f, &req, &k_rules, true).err == IJ_OK;
        ck_assert_msg(accepted == ((mask & (1u << e)) != 0), "%s with %d warnings, %d breaches",
                      x->event, w, b);
      }
    }
  }
}
END_TEST

Suite *transitions_suite(void) {
  Suite *s = suite_create("transitions");

  TCase *tc = tcase_create("table");
  tcase_add_test(tc, test_expected_table_covers_every_event);
  tcase_add_test(tc, test_table_rows_match_spec);
  tcase_add_loop_test(tc, test_walk_table, 0, IJ_STATE__COUNT);
  suite_add_tcase(s, tc);

  tc = tcase_create("roles");
  tcase_add_test(tc, test_withdraw_officer_and_coordinator);
  tcase_add_test(tc, test_withdraw_officer_and_supervisor_not_owner);
  tcase_add_test(tc, test_withdraw_owner_unknown);
  tcase_add_test(tc, test_acting_role_is_lowest_allowed_bit);
  suite_add_tcase(s, tc);

  tc = tcase_create("order");
  tcase_add_test(tc, test_order_role_before_state);
  tcase_add_test(tc, test_order_client_before_state);
  tcase_add_test(tc, test_order_state_before_request);
  tcase_add_test(tc, test_order_request_before_facts);
  tcase_add_test(tc, test_null_outputs_and_inputs);
  tcase_add_test(tc, test_unknown_event_and_state);
  suite_add_tcase(s, tc);

  tc = tcase_create("guards");
  tcase_add_test(tc, test_accept_hours_bounds);
  tcase_add_test(tc, test_accept_requires_notes_and_defaults_the_hours);
  tcase_add_test(tc, test_reason_code_guards);
  tcase_add_test(tc, test_reason_text);
  tcase_add_test(tc, test_unused_fields_refused);
  tcase_add_test(tc, test_non_compliance_needs_an_absence);
  tcase_add_test(tc, test_complete_needs_the_hours);
  tcase_add_test(tc, test_close_needs_the_last_check);
  tcase_add_test(tc, test_unbook_needs_no_bookings_and_no_attendance);
  tcase_add_test(tc, test_first_warning_guards);
  tcase_add_test(tc, test_second_warning_guards);
  tcase_add_test(tc, test_warning_requests);
  tcase_add_test(tc, test_warnings_by_other_roles_and_states);
  tcase_add_test(tc, test_reason_kinds);
  suite_add_tcase(s, tc);

  tc = tcase_create("allowed_events");
  tcase_add_test(tc, test_allowed_events_per_state);
  tcase_add_test(tc, test_allowed_events_follow_fact_guards);
  suite_add_tcase(s, tc);
  return s;
}
