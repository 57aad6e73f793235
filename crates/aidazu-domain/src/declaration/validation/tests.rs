use super::*;
use crate::calendar::Quarter;
use crate::catalogue::default_catalogue;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn catalogue() -> Catalogue {
    Catalogue::with_initial(default_catalogue(), Quarter::new(2025, 1).unwrap(), "v1").unwrap()
}

fn draft(code: &str, occurred_on: NaiveDate, photos: usize) -> DeclarationDraft {
    DeclarationDraft {
        household: HouseholdId(1),
        member: MemberId(10),
        item: ItemCode::parse(code).unwrap(),
        occurred_on,
        text: "参加夜间巡逻".into(),
        photos: (0..photos).map(|i| format!("sha256-{i}")).collect(),
    }
}

fn check(d: &DeclarationDraft, today: NaiveDate) -> Result<ItemRef, DomainError> {
    let c = catalogue();
    validate_draft(
        d,
        &c,
        PointsYearConfig::default(),
        &DeclarationPolicy::default(),
        today,
    )
    .map(|(_, r)| r)
}

#[test]
fn r8_valid_declaration_is_made_under_the_version_in_force() {
    let r = check(&draft("PA-02", day(2025, 5, 1), 1), day(2025, 5, 3)).unwrap();
    assert_eq!((r.code.as_str(), r.version), ("PA-02", 1));
}

#[test]
fn r8_negative_items_cannot_be_declared() {
    assert!(matches!(
        check(&draft("ML-06", day(2025, 5, 1), 1), day(2025, 5, 3)),
        Err(DomainError::NegativeItemDeclared { .. })
    ));
}

#[test]
fn r8_only_self_declarable_items() {
    assert!(matches!(
        check(&draft("PA-04", day(2025, 5, 1), 0), day(2025, 5, 3)),
        Err(DomainError::ItemNotSelfDeclarable { .. })
    ));
}

#[test]
fn r8_unknown_item_is_refused() {
    assert!(matches!(
        check(&draft("ZZ-99", day(2025, 5, 1), 0), day(2025, 5, 3)),
        Err(DomainError::ItemNotFound { .. })
    ));
}

#[test]
fn r8_no_catalogue_in_force_is_refused() {
    assert!(matches!(
        check(&draft("PA-01", day(2024, 12, 1), 0), day(2024, 12, 3)),
        Err(DomainError::NoCatalogueInForce { .. })
    ));
}

#[test]
fn r8_date_not_in_the_future() {
    assert_eq!(
        check(&draft("PA-01", day(2025, 5, 4), 0), day(2025, 5, 3)),
        Err(DomainError::OccurredInFuture)
    );
    assert!(check(&draft("PA-01", day(2025, 5, 3), 0), day(2025, 5, 3)).is_ok());
}

#[test]
fn r8_date_in_this_points_year() {
    assert_eq!(
        check(&draft("PA-01", day(2024, 12, 31), 0), day(2025, 1, 2)),
        Err(DomainError::OutsidePointsYear)
    );
}

#[test]
fn r8_window_of_30_days_by_default() {
    assert!(check(&draft("PA-01", day(2025, 4, 3), 0), day(2025, 5, 3)).is_ok());
    assert_eq!(
        check(&draft("PA-01", day(2025, 4, 2), 0), day(2025, 5, 3)),
        Err(DomainError::DeclarationTooOld { window_days: 30 })
    );
    let c = catalogue();
    let strict = DeclarationPolicy {
        window_days: 7,
        ..DeclarationPolicy::default()
    };
    let r = validate_draft(
        &draft("PA-01", day(2025, 4, 25), 0),
        &c,
        PointsYearConfig::default(),
        &strict,
        day(2025, 5, 3),
    );
    assert_eq!(
        r.map(|_| ()),
        Err(DomainError::DeclarationTooOld { window_days: 7 })
    );
}

#[test]
fn r8_photos_1_to_9_when_evidence_required() {
    let today = day(2025, 5, 3);
    assert_eq!(
        check(&draft("PA-02", day(2025, 5, 1), 0), today),
        Err(DomainError::PhotoCount {
            min: 1,
            max: 9,
            got: 0
        })
    );
    assert!(check(&draft("PA-02", day(2025, 5, 1), 9), today).is_ok());
    assert_eq!(
        check(&draft("PA-02", day(2025, 5, 1), 10), today),
        Err(DomainError::PhotoCount {
            min: 1,
            max: 9,
            got: 10
        })
    );
    // Before/after photos: at least two.
    assert!(matches!(
        check(&draft("ML-04", day(2025, 5, 1), 1), today),
        Err(DomainError::PhotoCount { min: 2, .. })
    ));
    // Not required: none is fine, but still at most 9.
    assert!(check(&draft("PA-01", day(2025, 5, 1), 0), today).is_ok());
    assert!(check(&draft("PA-01", day(2025, 5, 1), 10), today).is_err());
}

#[test]
fn r8_text_required() {
    let mut d = draft("PA-01", day(2025, 5, 1), 0);
    d.text = " \n".into();
    assert_eq!(check(&d, day(2025, 5, 3)), Err(DomainError::TextRequired));
}

#[test]
fn d2_review_deadline_seven_days_after_submission() {
    let submitted: DateTime<Utc> = "2025-05-03T17:00:00Z".parse().unwrap(); // 4 May in Shanghai
    assert_eq!(
        DeclarationPolicy::default().review_deadline(submitted),
        day(2025, 5, 11)
    );
}

#[test]
fn r8_description_is_limited_to_500_characters() {
    let mut d = draft("PA-02", day(2025, 5, 1), 1);
    d.text = "好".repeat(500);
    assert!(check(&d, day(2025, 5, 3)).is_ok());
    d.text.push('事');
    assert_eq!(
        check(&d, day(2025, 5, 3)),
        Err(DomainError::TextTooLong { max: 500 })
    );
}

#[test]
fn d2_reviewers_are_reminded_on_day_5_and_the_town_on_day_7() {
    let policy = DeclarationPolicy::default();
    // Submitted 2025-05-01 10:00 Shanghai.
    let at: DateTime<Utc> = "2025-05-01T02:00:00Z".parse().unwrap();
    assert!(policy.reminders_due(at, day(2025, 5, 5)).is_empty());
    assert_eq!(
        policy.reminders_due(at, day(2025, 5, 6)),
        vec![ReviewReminder::RemindReviewers]
    );
    assert_eq!(
        policy.reminders_due(at, day(2025, 5, 8)),
        vec![
            ReviewReminder::RemindReviewers,
            ReviewReminder::EscalateToTown
        ]
    );
}
