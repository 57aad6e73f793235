//! The replay of a catalogue change (R7) over a large village: how long the district officer
//! waits. `cargo bench -p aidazu-domain --bench replay`.

#![allow(clippy::unwrap_used)]

use aidazu_domain::calendar::{PointsYearConfig, Quarter, shanghai_instant};
use aidazu_domain::catalogue::replay::{ReplayHousehold, ReplayInput, replay};
use aidazu_domain::catalogue::{Catalogue, CatalogueItem, ItemRef, PointsRule, default_catalogue};
use aidazu_domain::ledger::{EntryKind, EntrySource, LedgerEntry};
use aidazu_domain::{AccountId, HouseholdId, Points};
use chrono::{Days, NaiveDate, NaiveTime};
use criterion::{Criterion, criterion_group, criterion_main};

/// `households` households with `per_household` positive entries each, spread over Q1–Q3 2026.
fn village(households: i64, per_household: u64) -> Vec<ReplayHousehold> {
    let items: Vec<CatalogueItem> = default_catalogue()
        .into_iter()
        .filter(|i| i.points().suggested().is_positive())
        .collect();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    (1..=households)
        .map(|h| ReplayHousehold {
            household: HouseholdId(h),
            exclusion: None,
            entries: (0..per_household)
                .map(|n| {
                    let item = &items[((h as u64 + n) % items.len() as u64) as usize];
                    LedgerEntry {
                        household: HouseholdId(h),
                        member: None,
                        kind: EntryKind::Award,
                        amount: item.points().suggested(),
                        source: EntrySource::Item(ItemRef {
                            code: item.code().clone(),
                            version: 1,
                        }),
                        declaration: None,
                        actor: AccountId(1),
                        occurred_at: shanghai_instant(
                            start + Days::new((n * 270 / per_household) % 270),
                            NaiveTime::MIN,
                        ),
                        reason: String::new(),
                    }
                })
                .collect(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut items = default_catalogue();
    let at = items
        .iter()
        .position(|i| i.code().as_str() == "ML-02")
        .unwrap();
    let mut spec = items[at].spec().clone();
    spec.points = PointsRule::Fixed(Points(4));
    items[at] = CatalogueItem::try_from(spec).unwrap();
    let quarter = Quarter::new(2026, 3).unwrap();
    let proposed = Catalogue::with_initial(items, quarter.next(), "bench")
        .unwrap()
        .versions()[0]
        .clone();
    for (households, per) in [(300_i64, 40_u64), (2_000, 60)] {
        let input = ReplayInput {
            quarter,
            calendar: PointsYearConfig::default(),
            proposed: &proposed,
            households: village(households, per),
            money_spent_fen: 0,
            fund_balance_fen: 2_400_000,
            fen_per_point: 100,
        };
        c.bench_function(
            &format!("replay {households} households x {per} entries"),
            |b| b.iter(|| replay(std::hint::black_box(&input))),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
