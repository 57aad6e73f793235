use super::*;

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap()
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const COMMITTEE: Reviewer = Reviewer {
    account: AccountId(50),
    household: Some(HouseholdId(9)),
};

const TOWN: Reviewer = Reviewer {
    account: AccountId(60),
    household: None,
};

fn draft(about: i64) -> ObjectionDraft {
    ObjectionDraft {
        quarter: Quarter::new(2025, 1).unwrap(),
        raised_by: MemberId(10),
        raised_by_household: HouseholdId(1),
        about: HouseholdId(about),
        entry: Some(LedgerEntryId(77)),
        text: "巡逻加分漏记".into(),
    }
}

fn filed() -> Objection {
    // Published Tuesday 1 April 2025.
    Objection::file(
        ObjectionId(3),
        draft(1),
        day(4, 1),
        day(4, 2),
        &ObjectionPolicy::default(),
    )
    .unwrap()
}

#[test]
fn r17_window_is_seven_days_after_publication() {
    let p = ObjectionPolicy::default();
    assert!(Objection::file(ObjectionId(1), draft(1), day(4, 1), day(4, 1), &p).is_ok());
    assert!(Objection::file(ObjectionId(1), draft(1), day(4, 1), day(4, 8), &p).is_ok());
    assert_eq!(
        Objection::file(ObjectionId(1), draft(1), day(4, 1), day(4, 9), &p).map(|_| ()),
        Err(DomainError::ObjectionWindowClosed)
    );
    assert_eq!(
        Objection::file(ObjectionId(1), draft(1), day(4, 1), day(3, 31), &p).map(|_| ()),
        Err(DomainError::ObjectionWindowClosed)
    );
    let mut empty = draft(1);
    empty.text = String::new();
    assert_eq!(
        Objection::file(ObjectionId(1), empty, day(4, 1), day(4, 2), &p).map(|_| ()),
        Err(DomainError::TextRequired)
    );
}

#[test]
fn d3_committee_answers_within_five_working_days() {
    let o = filed(); // filed Wednesday 2 April
    let wd = WorkingDays::with_holidays([day(4, 4)]); // 清明 on Friday 4 April
    assert_eq!(
        o.committee_due(&ObjectionPolicy::default(), &wd),
        day(4, 10)
    );
}

#[test]
fn r17_upheld_objection_books_a_correction() {
    let mut o = filed();
    assert_eq!(
        o.uphold(
            COMMITTEE,
            Points(3),
            "核实确有漏记",
            at("2025-04-03T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    assert_eq!(o.state(), ObjectionState::Upheld);
    let e = o.correction_entry(Some(MemberId(10))).unwrap();
    assert_eq!(
        (e.kind, e.amount, e.household),
        (EntryKind::Correction, Points(3), HouseholdId(1))
    );
    assert_eq!(e.source, EntrySource::Objection(ObjectionId(3)));
    assert_eq!(e.actor, AccountId(50));
    // A repeated delivery changes nothing; a conflicting one is refused.
    assert_eq!(
        o.uphold(
            COMMITTEE,
            Points(3),
            "核实确有漏记",
            at("2025-04-03T03:00:00Z")
        ),
        Ok(DecisionOutcome::AlreadyApplied)
    );
    assert_eq!(
        o.reject(COMMITTEE, "不予采纳", at("2025-04-03T03:00:00Z")),
        Err(DomainError::ObjectionAlreadyDecided {
            state: ObjectionState::Upheld
        })
    );
}

#[test]
fn r17_uphold_needs_a_correction_and_reason() {
    let mut o = filed();
    assert_eq!(
        o.uphold(COMMITTEE, Points::ZERO, "x", at("2025-04-03T02:00:00Z")),
        Err(DomainError::CorrectionRequired)
    );
    assert_eq!(
        o.reject(COMMITTEE, "", at("2025-04-03T02:00:00Z")),
        Err(DomainError::ReasonRequired)
    );
    assert_eq!(o.state(), ObjectionState::Open);
    assert!(o.correction_entry(None).is_none());
}

#[test]
fn d6_no_decision_on_own_households_objection() {
    let mut about_mine = filed();
    let own = Reviewer {
        account: AccountId(51),
        household: Some(HouseholdId(1)),
    };
    assert_eq!(
        about_mine.reject(own, "x", at("2025-04-03T02:00:00Z")),
        Err(DomainError::RecusalRequired)
    );
    // A report about household 9 cannot be decided by a committee member of household 9.
    let mut report = Objection::file(
        ObjectionId(4),
        draft(9),
        day(4, 1),
        day(4, 2),
        &ObjectionPolicy::default(),
    )
    .unwrap();
    assert_eq!(
        report.uphold(COMMITTEE, Points(-5), "x", at("2025-04-03T02:00:00Z")),
        Err(DomainError::RecusalRequired)
    );
}

#[test]
fn d3_rejected_objection_escalates_within_three_days_then_town_decides() {
    let p = ObjectionPolicy::default();
    let mut o = filed();
    assert_eq!(
        o.escalate(MemberId(10), day(4, 3), &p),
        Err(DomainError::ObjectionNotEscalable)
    );
    // Answered 3 April 10:00 Shanghai.
    assert_eq!(
        o.reject(COMMITTEE, "巡逻名单无此人", at("2025-04-03T02:00:00Z")),
        Ok(DecisionOutcome::Applied)
    );
    assert_eq!(
        o.escalate(MemberId(11), day(4, 4), &p),
        Err(DomainError::NotObjector)
    );
    let mut late = o.clone();
    assert_eq!(
        late.escalate(MemberId(10), day(4, 7), &p),
        Err(DomainError::EscalationWindowClosed)
    );
    assert_eq!(
        o.escalate(MemberId(10), day(4, 6), &p),
        Ok(DecisionOutcome::Applied)
    );
    assert_eq!(
        o.escalate(MemberId(10), day(4, 6), &p),
        Ok(DecisionOutcome::AlreadyApplied)
    );
    // Escalated Sunday 6 April: 10 working days → Friday 18 April (no holidays given).
    assert_eq!(o.town_due(&p, &WorkingDays::default()), Some(day(4, 18)));
    assert_eq!(
        o.town_decide(
            TOWN,
            Some(Points(3)),
            "经核实补记",
            at("2025-04-10T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    assert_eq!(o.state(), ObjectionState::TownUpheld);
    assert_eq!(
        o.correction_entry(Some(MemberId(10))).map(|e| e.actor),
        Some(AccountId(60))
    );
    assert_eq!(
        o.town_decide(TOWN, None, "驳回", at("2025-04-10T03:00:00Z")),
        Err(DomainError::ObjectionAlreadyDecided {
            state: ObjectionState::TownUpheld
        })
    );
    assert_eq!(
        o.town_decide(
            TOWN,
            Some(Points(3)),
            "经核实补记",
            at("2025-04-10T03:00:00Z")
        ),
        Ok(DecisionOutcome::AlreadyApplied)
    );
}

#[test]
fn d3_town_decides_only_escalated_objections() {
    let mut o = filed();
    assert_eq!(
        o.town_decide(TOWN, None, "x", at("2025-04-10T02:00:00Z")),
        Err(DomainError::ObjectionNotEscalable)
    );
}

#[test]
fn objection_status_serde_round_trip() {
    let mut o = filed();
    assert_eq!(
        o.reject(COMMITTEE, "不予采纳", at("2025-04-03T02:00:00Z")),
        Ok(DecisionOutcome::Applied)
    );
    let json = serde_json::to_value(o.status()).unwrap();
    assert_eq!(json["state"], "rejected");
    let back: ObjectionStatus = serde_json::from_value(json).unwrap();
    assert_eq!(filed().with_status(back), o);
}
