use super::*;
use crate::catalogue::default_catalogue;
use crate::declaration::DeclarationDraft;
use crate::ids::ItemCode;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn item(code: &str) -> CatalogueItem {
    let code = ItemCode::parse(code).unwrap();
    default_catalogue()
        .into_iter()
        .find(|i| i.code() == &code)
        .unwrap()
}

fn declaration(code: &str) -> Declaration {
    let draft = DeclarationDraft {
        household: HouseholdId(1),
        member: MemberId(10),
        item: ItemCode::parse(code).unwrap(),
        occurred_on: NaiveDate::from_ymd_opt(2025, 5, 1).unwrap(),
        text: "志愿服务".into(),
        photos: vec![],
    };
    let item = ItemRef {
        code: draft.item.clone(),
        version: 3,
    };
    Declaration::submitted(DeclarationId(5), draft, item, at("2025-05-02T02:00:00Z"))
}

const ADMIN: Reviewer = Reviewer {
    account: AccountId(99),
    household: Some(HouseholdId(2)),
};

#[test]
fn r9_submitted_in_review_approved() {
    let mut d = declaration("DE-02");
    assert_eq!(d.state(), DeclarationState::Submitted);
    assert_eq!(d.start_review().unwrap(), DecisionOutcome::Applied);
    assert_eq!(d.start_review().unwrap(), DecisionOutcome::AlreadyApplied);
    let out = d
        .approve(
            ADMIN,
            &item("DE-02"),
            Points(3),
            Channel::Card,
            at("2025-05-03T02:00:00Z"),
        )
        .unwrap();
    assert_eq!(out, DecisionOutcome::Applied);
    assert_eq!(d.state(), DeclarationState::Approved);
    assert!(d.state().is_final());
}

#[test]
fn r9_decision_happens_once_duplicates_are_idempotent() {
    let mut d = declaration("PA-01");
    assert_eq!(
        d.approve(
            ADMIN,
            &item("PA-01"),
            Points(3),
            Channel::DingTalkApproval,
            at("2025-05-03T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    let before = d.clone();
    // The card button arrives after the approval event: same decision, nothing changes.
    assert_eq!(
        d.approve(
            ADMIN,
            &item("PA-01"),
            Points(3),
            Channel::Card,
            at("2025-05-03T03:00:00Z")
        )
        .unwrap(),
        DecisionOutcome::AlreadyApplied
    );
    assert_eq!(d, before);
}

#[test]
fn r9_conflicting_second_decision_is_refused() {
    let mut d = declaration("PA-01");
    assert_eq!(
        d.approve(
            ADMIN,
            &item("PA-01"),
            Points(3),
            Channel::Console,
            at("2025-05-03T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    let before = d.clone();
    assert_eq!(
        d.reject(
            ADMIN,
            "照片不清楚",
            Channel::Card,
            at("2025-05-03T03:00:00Z")
        ),
        Err(DomainError::AlreadyDecided {
            state: DeclarationState::Approved
        })
    );
    assert_eq!(d, before);

    let mut r = declaration("PA-01");
    assert_eq!(
        r.reject(ADMIN, "未核实", Channel::Card, at("2025-05-03T02:00:00Z")),
        Ok(DecisionOutcome::Applied)
    );
    assert!(matches!(
        r.approve(
            ADMIN,
            &item("PA-01"),
            Points(3),
            Channel::DingTalkApproval,
            at("2025-05-03T03:00:00Z")
        ),
        Err(DomainError::AlreadyDecided {
            state: DeclarationState::Rejected
        })
    ));
    assert_eq!(
        r.reject(
            ADMIN,
            "未核实",
            Channel::Console,
            at("2025-05-03T04:00:00Z")
        ),
        Ok(DecisionOutcome::AlreadyApplied)
    );
}

#[test]
fn r9_rejection_needs_a_reason() {
    let mut d = declaration("PA-01");
    assert_eq!(
        d.reject(ADMIN, "  ", Channel::Console, at("2025-05-03T02:00:00Z")),
        Err(DomainError::ReasonRequired)
    );
    assert_eq!(d.state(), DeclarationState::Submitted);
    assert_eq!(
        d.reject(
            ADMIN,
            " 不符合条件 ",
            Channel::Console,
            at("2025-05-03T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    assert!(matches!(d.status(), ReviewStatus::Rejected { reason, .. } if reason == "不符合条件"));
}

#[test]
fn r9_withdraw_only_by_the_member_before_a_decision() {
    let mut d = declaration("PA-01");
    assert_eq!(
        d.withdraw(MemberId(11), at("2025-05-02T03:00:00Z")),
        Err(DomainError::NotDeclarant)
    );
    assert_eq!(d.start_review(), Ok(DecisionOutcome::Applied));
    assert_eq!(
        d.withdraw(MemberId(10), at("2025-05-02T03:00:00Z")),
        Ok(DecisionOutcome::Applied)
    );
    assert_eq!(
        d.withdraw(MemberId(10), at("2025-05-02T04:00:00Z")),
        Ok(DecisionOutcome::AlreadyApplied)
    );
    assert!(matches!(
        d.approve(
            ADMIN,
            &item("PA-01"),
            Points(3),
            Channel::Card,
            at("2025-05-03T02:00:00Z")
        ),
        Err(DomainError::AlreadyDecided {
            state: DeclarationState::Withdrawn
        })
    ));
    assert!(d.start_review().is_err());

    let mut decided = declaration("PA-01");
    assert_eq!(
        decided.approve(
            ADMIN,
            &item("PA-01"),
            Points(3),
            Channel::Card,
            at("2025-05-03T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    assert!(matches!(
        decided.withdraw(MemberId(10), at("2025-05-04T02:00:00Z")),
        Err(DomainError::AlreadyDecided { .. })
    ));
}

#[test]
fn d6_nobody_decides_for_their_own_household() {
    let mut d = declaration("PA-01");
    let own = Reviewer {
        account: AccountId(98),
        household: Some(HouseholdId(1)),
    };
    assert_eq!(
        d.approve(
            own,
            &item("PA-01"),
            Points(3),
            Channel::Card,
            at("2025-05-03T02:00:00Z")
        ),
        Err(DomainError::RecusalRequired)
    );
    assert_eq!(
        d.reject(own, "x", Channel::Card, at("2025-05-03T02:00:00Z")),
        Err(DomainError::RecusalRequired)
    );
    assert_eq!(d.state(), DeclarationState::Submitted);
}

#[test]
fn r6_reviewer_points_must_fit_the_item_rule() {
    let mut d = declaration("DE-02");
    assert!(matches!(
        d.approve(
            ADMIN,
            &item("DE-02"),
            Points(4),
            Channel::Console,
            at("2025-05-03T02:00:00Z")
        ),
        Err(DomainError::PointsNotAllowed { .. })
    ));
    assert!(matches!(
        d.approve(
            ADMIN,
            &item("PA-01"),
            Points(3),
            Channel::Console,
            at("2025-05-03T02:00:00Z")
        ),
        Err(DomainError::ItemNotFound { .. })
    ));
    assert_eq!(d.state(), DeclarationState::Submitted);
}

#[test]
fn r12_approved_declaration_books_an_award_under_its_version() {
    let mut d = declaration("DE-02");
    assert!(d.award_entry(PointsYearConfig::default(), "").is_none());
    assert_eq!(
        d.approve(
            ADMIN,
            &item("DE-02"),
            Points(2),
            Channel::Card,
            at("2025-05-03T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    let (year, e) = d.award_entry(PointsYearConfig::default(), "捐资").unwrap();
    assert_eq!(year, crate::calendar::PointsYear(2025));
    assert!(e.reason.starts_with("捐资："));
    assert_eq!(e.kind, EntryKind::Award);
    assert_eq!(e.amount, Points(2));
    assert_eq!(e.member, Some(MemberId(10)));
    assert_eq!(e.declaration, Some(DeclarationId(5)));
    assert_eq!(e.actor, AccountId(99));
    assert_eq!(e.item().map(|r| r.version), Some(3));
}

#[test]
fn status_serde_is_tagged_by_state() {
    let mut d = declaration("PA-01");
    assert_eq!(
        d.reject(
            ADMIN,
            "重复申报",
            Channel::Console,
            at("2025-05-03T02:00:00Z")
        ),
        Ok(DecisionOutcome::Applied)
    );
    let json = serde_json::to_value(d.status()).unwrap();
    assert_eq!(json["state"], "rejected");
    assert_eq!(json["channel"], "console");
    let back: ReviewStatus = serde_json::from_value(json).unwrap();
    assert_eq!(&back, d.status());
    let restored = declaration("PA-01").with_status(back);
    assert_eq!(restored, d);
}

#[test]
fn r14_d4_an_award_decided_after_the_year_close_goes_to_the_booking_year() {
    let cal = PointsYearConfig::default();
    let mut d = declaration("DE-02");
    d.occurred_on = NaiveDate::from_ymd_opt(2025, 12, 30).unwrap();
    let _ = d
        .approve(
            ADMIN,
            &item("DE-02"),
            Points(2),
            Channel::Console,
            at("2026-02-02T02:00:00Z"),
        )
        .unwrap();
    let (year, e) = d.award_entry(cal, "").unwrap();
    assert_eq!(year, crate::calendar::PointsYear(2026));
    assert_eq!(e.occurred_at, at("2026-02-02T02:00:00Z"));
    let mut open = declaration("DE-02");
    open.occurred_on = NaiveDate::from_ymd_opt(2025, 12, 30).unwrap();
    let _ = open
        .approve(
            ADMIN,
            &item("DE-02"),
            Points(2),
            Channel::Console,
            at("2026-01-20T02:00:00Z"),
        )
        .unwrap();
    let (year, e) = open.award_entry(cal, "").unwrap();
    assert_eq!(year, crate::calendar::PointsYear(2025));
    assert_eq!(
        crate::calendar::business_date(e.occurred_at),
        open.occurred_on
    );
}
