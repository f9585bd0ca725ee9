#include "core/policy.hpp"

namespace mend {

// ---- the day-one policy ----------------------------------------------------------------------

PolicyConfig PolicyConfig::defaults() {
  using A = ActionType;
  using S = Severity;
  using T = GuestTier;
  PolicyConfig p;
  const auto add = [&p](CaseKind kind, S min, std::optional<T> tier,
                        std::vector<ActionTemplate> actions, std::string approval = {}) {
    p.rules.push_back(PolicyRule{kind, min, tier, std::move(actions), std::move(approval)});
  };
  const auto act = [](A type, std::string text, double value = 0) {
    return ActionTemplate{type, value, std::move(text)};
  };

  {  // table.no_order: get the order in; a drink and the manager as it gets worse or matters more
    const auto take = act(A::kFixCause, "Send a server to {table} now to take the order.");
    const auto sorry = act(A::kApology,
                           "Apologise to {name} for the {minutes}-minute wait: \"I'm so sorry to "
                           "keep you waiting. What can I get you?\"");
    const auto drink = act(A::kCompItem,
                           "Offer {name} a drink on the house (up to {value}): \"Your first "
                           "drink is on us while you choose.\"",
                           6);
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to visit {table}, apologise to {name} in "
                             "person and make sure the order is in.");
    const CaseKind k = CaseKind::kTableNoOrder;
    add(k, S::kLow, std::nullopt, {take, sorry});
    add(k, S::kHigh, std::nullopt, {take, sorry, drink});
    add(k, S::kCritical, std::nullopt, {take, manager, drink});
    add(k, S::kLow, T::kRegular, {take, sorry, drink});
    add(k, S::kCritical, T::kRegular, {take, manager, drink});
    add(k, S::kLow, T::kVip, {take, manager, drink});
  }
  {  // course.slow: chase first; dessert when high, manager and a capped 20% off when critical
    const auto chase = act(A::kChaseKitchen,
                           "Chase the kitchen for the {course} for {table}: fired {minutes} "
                           "minutes ago (limit {limit}). Ask the pass for a time.");
    const auto sorry = act(A::kApology,
                           "Tell {name} at {table} when the {course} will arrive and apologise: "
                           "\"I'm sorry this is taking so long. I've checked with the kitchen "
                           "and it will be with you in a few minutes.\"");
    const auto dessert = act(A::kCompItem,
                             "Offer {name} a dessert on the house (up to {value}): \"Please let "
                             "us treat you to dessert tonight.\"",
                             8);
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to visit {name} at {table}, apologise for "
                             "the wait and check the {course} is right when it arrives.");
    const auto discount = act(A::kDiscount,
                              "Take 20% off the bill for {table}, up to {value}, and tell {name} "
                              "before the bill comes.",
                              25);
    const CaseKind k = CaseKind::kCourseSlow;
    add(k, S::kLow, std::nullopt, {chase, sorry});
    add(k, S::kHigh, std::nullopt, {chase, sorry, dessert});
    add(k, S::kCritical, std::nullopt, {chase, manager, discount});
    // A VIP sees the manager whatever the severity.
    add(k, S::kLow, T::kVip, {chase, manager});
    add(k, S::kHigh, T::kVip, {chase, manager, dessert});
    add(k, S::kCritical, T::kVip, {chase, manager, discount});
  }
  {  // bill.slow
    const auto runner = act(A::kSendRunner,
                            "Send a runner to {table} with the bill now: they asked {minutes} "
                            "minutes ago.");
    const auto sorry = act(A::kApology,
                           "Apologise to {name} for the wait: \"Sorry to keep you waiting for "
                           "the bill, here it is.\"");
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to take the bill to {table} and apologise "
                             "to {name} for the wait.");
    const CaseKind k = CaseKind::kBillSlow;
    add(k, S::kLow, std::nullopt, {runner});
    add(k, S::kHigh, std::nullopt, {runner, sorry});
    add(k, S::kCritical, std::nullopt, {runner, manager});
    add(k, S::kLow, T::kVip, {runner, sorry});
    add(k, S::kHigh, T::kVip, {runner, manager});
  }
  {  // call.unanswered
    const auto runner = act(A::kSendRunner,
                            "Send someone to {table} now: they pressed the call button {minutes} "
                            "minutes ago.");
    const auto sorry =
        act(A::kApology, "Apologise to {name}: \"Sorry to keep you waiting. How can I help?\"");
    const CaseKind k = CaseKind::kCallUnanswered;
    add(k, S::kLow, std::nullopt, {runner});
    add(k, S::kHigh, std::nullopt, {runner, sorry});
    add(k, S::kLow, T::kVip, {runner, sorry});
  }
  {  // arrival.unseated
    const auto seat =
        act(A::kFixCause, "Seat {name} now, or tell them honestly how long the table will be.");
    const auto sorry =
        act(A::kApology, "Apologise to {name} for the {minutes}-minute wait at the door.");
    const auto drink = act(A::kCompItem,
                           "Offer {name} a drink on the house while they wait (up to {value}): "
                           "\"Can I get you something from the bar while we get your table "
                           "ready? It's on us.\"",
                           5);
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to greet {name} at the door and apologise "
                             "for the wait.");
    const CaseKind k = CaseKind::kArrivalUnseated;
    add(k, S::kLow, std::nullopt, {seat, sorry});
    add(k, S::kHigh, std::nullopt, {seat, sorry, drink});
    add(k, S::kCritical, std::nullopt, {seat, manager, drink});
    add(k, S::kLow, T::kVip, {seat, manager});
    add(k, S::kHigh, T::kVip, {seat, manager, drink});
  }
  add(CaseKind::kEnquiryUnanswered, S::kLow, std::nullopt,
      {act(A::kFollowUpMessage,
           "Reply now. Draft: \"{greeting} thank you for getting in touch with {venue}, and I'm "
           "sorry it has taken us so long to reply. [Your answer.] If there is anything else, "
           "just reply to this message.\"")});
  {  // temperature.out_of_range: staff only, nothing to say to a guest
    const auto check = act(A::kFixCause,
                           "Check {device}: is the door shut and the fan clear? Move anything at "
                           "risk to another cold store and log the temperature.");
    const auto maintenance = act(A::kCallMaintenance,
                                 "Call maintenance about {device}: out of range for {minutes} "
                                 "minutes (limit {limit}).");
    add(CaseKind::kTemperatureOutOfRange, S::kLow, std::nullopt, {check});
    add(CaseKind::kTemperatureOutOfRange, S::kHigh, std::nullopt, {check, maintenance});
  }
  {  // device.offline
    const auto check = act(A::kFixCause, "Check that {device} has power and is in Wi-Fi range.");
    const auto maintenance = act(A::kCallMaintenance,
                                 "Call maintenance if {device} does not come back: silent for "
                                 "{minutes} minutes.");
    add(CaseKind::kDeviceOffline, S::kLow, std::nullopt, {check});
    add(CaseKind::kDeviceOffline, S::kHigh, std::nullopt, {check, maintenance});
  }
  {  // review.negative: a public reply speaks for the venue, so a manager signs it
    const auto reply = act(A::kFollowUpMessage,
                           "Reply to the review as the manager. Draft: \"{greeting} thank you for "
                           "telling us about your visit to {venue}, and I'm sorry we let you "
                           "down. I'd like to hear more and put it right: please reply to this "
                           "message, or ask for me next time you are in.\"");
    const auto reply_back = act(A::kFollowUpMessage,
                                "Reply to the review as the manager. Draft: \"{greeting} thank "
                                "you for telling us about your visit to {venue}, and I'm sorry "
                                "we let you down, especially as you have been with us before. "
                                "We would love to welcome you back: a voucher for your next "
                                "visit comes with this message.\"");
    const auto voucher =
        act(A::kVoucher, "Send {name} a voucher for {value} off their next visit to {venue}.", 20);
    const CaseKind k = CaseKind::kReviewNegative;
    add(k, S::kLow, std::nullopt, {reply}, "manager");
    for (const T t : {T::kReturning, T::kRegular, T::kVip}) {
      add(k, S::kLow, t, {reply_back, voucher}, "manager");
    }
  }
  add(CaseKind::kVoidsRepeated, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "A manager should look at {check} on {table}: several items were voided. Find out "
           "why (wrong orders, the till, the kitchen) before it happens again.")});
  add(CaseKind::kPatternRecurring, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "This keeps happening ({kind}): look at staffing, sections and the kitchen's timing, "
           "and talk it through at the next briefing.")});
  // The box's own disk. Nothing to give a guest: a person frees space (old logs, a forgotten
  // file on the card) or calls the installer.
  add(CaseKind::kStoreUnwritable, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "Mend cannot save anything: the broker is holding the venue's signals for it, for "
           "about 30 minutes of a busy service. Free space on the box now (or call your "
           "installer); Mend catches up by itself once it can write again.")});
  add(CaseKind::kStoreLowSpace, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "The box's disk is nearly full. Mend has trimmed its oldest raw events; free space on "
           "the box (or call your installer) before it fills.")});
  add(CaseKind::kCloudOutboxFull, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "The box has not reached the cloud for long enough that its outbox is full, and it "
           "has started giving up the oldest unsent messages. Check the venue's internet "
           "connection (or call your installer); the venue's own work is not affected.")});
  // A source of events: its bridge or its clock. The venue's staff can check power and cables;
  // the supplier fixes a clock.
  add(CaseKind::kSourceSilent, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "Mend has heard nothing from the {device} system while the venue is in service, so it "
           "cannot see what that system would have told it. Check that the {device} system and "
           "its bridge to Mend are on and connected (or call your installer). The cases it could "
           "not judge are listed here; once it is back, only the real ones are raised.")});
  add(CaseKind::kSourceClockSkew, S::kLow, std::nullopt,
      {act(A::kFixCause,
           "The {device} system's clock is wrong. Mend is correcting its times by the amount "
           "shown, so no case is early or late; set that system's clock right (or ask its "
           "supplier).")});
  {  // A guest told a person: listen and put it right; a manager when it is serious.
    const auto listen = act(A::kApology,
                            "Go back to {name}, listen, apologise and say what you will do: \"I'm "
                            "sorry, thank you for telling us. Let me put this right.\"");
    const auto manager = act(A::kManagerVisit,
                             "Ask the manager on duty to see {name} in person and agree how to "
                             "put it right.");
    const auto dessert =
        act(A::kCompItem, "Offer {name} a dessert or a drink on the house (up to {value}).", 8);
    add(CaseKind::kGuestComplaint, S::kLow, std::nullopt, {listen});
    add(CaseKind::kGuestComplaint, S::kHigh, std::nullopt, {listen, manager, dessert});
  }
  add(CaseKind::kGuestEnquiry, S::kLow, std::nullopt,
      {act(A::kFollowUpMessage,
           "Answer {name} on the channel they used, today; if you cannot, tell them when.")});
  add(CaseKind::kGuestOther, S::kLow, std::nullopt,
      {act(A::kFixCause, "Look into what was reported and record what you did about it.")});
  // The service puts the drafted note itself in the recommendation (core/winback.hpp).
  add(CaseKind::kGuestLapsed, S::kLow, std::nullopt,
      {act(A::kFollowUpMessage, "Send {name} a personal note to welcome them back.")}, "manager");
  return p;
}

}  // namespace mend
