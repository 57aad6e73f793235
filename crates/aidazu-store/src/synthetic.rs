//! A synthetic district for scale work (issue 11): `aidazu seed-synthetic --villages N
//! --households-per-village M --years Y` writes a realistic district fast — towns of 25 villages,
//! four groups per village, households of one to four members (mobiles encrypted, R4), opt-outs
//! and opt-ins, ledger entries over the catalogue's items and the year's quarters (awards,
//! penalties, the year close of finished years), declarations in every state with photos
//! referenced by hash, the ledger hash chain, and the read models — all computed here with the
//! domain's own rules (`TotalsDelta`, `participation_spans`), then written in bulk: `COPY` on
//! PostgreSQL, multi-row `INSERT`s on SQLite, one transaction per batch of villages.
//!
//! Rows get their ids here (from the table's current maximum), so links between them need no
//! round trip; PostgreSQL's sequences are moved past them at the end. Deterministic for a seed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use aidazu_domain::calendar::{PointsYear, PointsYearConfig, shanghai_instant};
use aidazu_domain::catalogue::{CatalogueVersion, Direction, PointsRule, default_catalogue};
use aidazu_domain::ledger::{EntryKind, TotalsDelta, YearTotals};
use aidazu_domain::org::{Member, ParticipationChange, ResidentKind, participation_spans};
use aidazu_domain::{AccountId, HouseholdId, MemberId, Points};
use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, ConnectionTrait,
    DatabaseBackend, EntityTrait, QueryFilter, QuerySelect, TransactionTrait, Value,
};
use serde::Serialize;

use crate::catalogue::{CatalogueStatus, insert_version};
use crate::entities::{catalogue_items, districts, ledger_entries};
use crate::error::StoreError;
use crate::pii::PiiKeys;
use crate::store::Store;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntheticSpec {
    pub villages: u32,
    pub households_per_village: u32,
    /// Points-years, the current one included (earlier ones are closed).
    pub years: u32,
    /// The business date the data leads up to (entries stop the day before).
    pub today: NaiveDate,
    /// RNG seed.
    pub seed: u64,
    /// District code (unique); villages are `<code>-v00001`….
    pub district_code: String,
}

/// Rows written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyntheticReport {
    pub towns: u64,
    pub villages: u64,
    pub households: u64,
    pub members: u64,
    pub participation_changes: u64,
    pub accounts: u64,
    pub ledger_entries: u64,
    pub declarations: u64,
    pub photos: u64,
}

/// One value to write.
#[derive(Debug, Clone)]
enum Cell {
    Null,
    I(i64),
    S(String),
    B(bool),
    D(NaiveDate),
    T(DateTime<Utc>),
    X(Vec<u8>),
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Self::I(v)
    }
}
impl From<String> for Cell {
    fn from(v: String) -> Self {
        Self::S(v)
    }
}
impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Self::S(v.to_owned())
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Self::B(v)
    }
}
impl From<NaiveDate> for Cell {
    fn from(v: NaiveDate) -> Self {
        Self::D(v)
    }
}
impl From<DateTime<Utc>> for Cell {
    fn from(v: DateTime<Utc>) -> Self {
        Self::T(v)
    }
}
impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

impl Cell {
    fn csv(&self, out: &mut String) {
        match self {
            Self::Null => {}
            Self::I(v) => {
                let _ = write!(out, "{v}");
            }
            Self::S(s) => {
                out.push('"');
                out.push_str(&s.replace('"', "\"\""));
                out.push('"');
            }
            Self::B(b) => out.push(if *b { 't' } else { 'f' }),
            Self::D(d) => {
                let _ = write!(out, "{d}");
            }
            Self::T(t) => {
                let _ = write!(out, "{}", t.to_rfc3339());
            }
            Self::X(bytes) => {
                out.push_str("\\x");
                out.push_str(&hex::encode(bytes));
            }
        }
    }

    fn value(self) -> Value {
        match self {
            Self::Null => Value::String(None),
            Self::I(v) => v.into(),
            Self::S(s) => s.into(),
            Self::B(b) => b.into(),
            Self::D(d) => d.into(),
            Self::T(t) => t.into(),
            Self::X(x) => x.into(),
        }
    }
}

/// Rows of one table.
struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self {
            table,
            columns,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "{}", self.table);
        self.rows.push(row);
    }
}

fn db_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Query(sea_orm::DbErr::Custom(e.to_string()))
}

/// Writes a batch of tables, in order, in one transaction.
async fn write_batch(store: &Store, batch: Vec<Rows>) -> Result<(), StoreError> {
    match store.connection().get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = store.connection().get_postgres_connection_pool();
            let mut conn = pool.acquire().await.map_err(db_err)?;
            sea_orm::sqlx::query("BEGIN")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            for rows in batch {
                if rows.rows.is_empty() {
                    continue;
                }
                let mut text = String::with_capacity(rows.rows.len() * 64);
                for row in &rows.rows {
                    for (i, cell) in row.iter().enumerate() {
                        if i > 0 {
                            text.push(',');
                        }
                        cell.csv(&mut text);
                    }
                    text.push('\n');
                }
                let sql = format!(
                    "COPY {} ({}) FROM STDIN WITH (FORMAT csv)",
                    rows.table,
                    rows.columns.join(", ")
                );
                let mut copy = conn.copy_in_raw(&sql).await.map_err(db_err)?;
                copy.send(text.into_bytes()).await.map_err(db_err)?;
                copy.finish().await.map_err(db_err)?;
            }
            sea_orm::sqlx::query("COMMIT")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
        backend => {
            let txn = store.connection().begin().await?;
            for rows in batch {
                let per = (30_000 / rows.columns.len()).max(1);
                let mut all = rows.rows.into_iter().peekable();
                while all.peek().is_some() {
                    let chunk: Vec<Vec<Cell>> = all.by_ref().take(per).collect();
                    let one = format!("({})", vec!["?"; rows.columns.len()].join(", "));
                    let sql = format!(
                        "INSERT INTO {} ({}) VALUES {}",
                        rows.table,
                        rows.columns.join(", "),
                        vec![one; chunk.len()].join(", ")
                    );
                    let values: Vec<Value> = chunk.into_iter().flatten().map(Cell::value).collect();
                    txn.execute(sea_orm::Statement::from_sql_and_values(
                        backend, sql, values,
                    ))
                    .await?;
                }
            }
            txn.commit().await?;
        }
    }
    Ok(())
}

async fn max_id<C: ConnectionTrait>(db: &C, table: &str) -> Result<i64, StoreError> {
    let row = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COALESCE(MAX(id), 0) AS m FROM {table}"),
        ))
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("max id of {table}")))?;
    Ok(row.try_get::<i64>("", "m")?)
}

const TABLES_WITH_IDS: [&str; 11] = [
    "towns",
    "villages",
    "village_groups",
    "households",
    "members",
    "participation_changes",
    "accounts",
    "role_grants",
    "ledger_entries",
    "declarations",
    "photos",
];

/// Next free id per table.
struct Ids(BTreeMap<&'static str, i64>);

impl Ids {
    fn next(&mut self, table: &'static str) -> i64 {
        let slot = self.0.entry(table).or_insert(0);
        *slot += 1;
        *slot
    }
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "罗", "高", "林",
];
const GIVEN: [&str; 24] = [
    "明", "华", "强", "芳", "军", "丽", "伟", "敏", "静", "勇", "艳", "杰", "娟", "涛", "霞", "斌",
    "平", "刚", "兰", "辉", "秀", "英", "文", "成",
];
const RELATIONS: [&str; 4] = ["户主", "配偶", "子女", "父母"];

struct Item {
    code: String,
    id: i64,
    title: String,
    suggested: i64,
    min: i64,
    max: i64,
    positive: bool,
    declarable: bool,
}

/// Generates and writes the district. `progress(done, total)` is called after each batch.
///
/// # Errors
/// [`StoreError::Conflict`] when the district code exists, database errors.
#[allow(clippy::too_many_lines)]
pub async fn seed_synthetic(
    store: &Store,
    keys: &PiiKeys,
    spec: SyntheticSpec,
    mut progress: impl FnMut(u64, u64),
) -> Result<SyntheticReport, StoreError> {
    let db = store.connection();
    if districts::Entity::find()
        .filter(districts::Column::Code.eq(spec.district_code.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "district {} exists already",
            spec.district_code
        )));
    }
    let calendar = PointsYearConfig::default();
    let current = calendar.points_year_of(spec.today);
    let first_year =
        PointsYear(current.label() - i32::try_from(spec.years.max(1)).unwrap_or(1) + 1);
    let now = crate::stamp::now();

    // The district, its catalogue (version 1 from the first year's Q1) and the system account.
    let txn = db.begin().await?;
    let system = crate::accounts::ensure_system_account(&txn).await?;
    let district = districts::ActiveModel {
        id: NotSet,
        code: Set(spec.district_code.clone()),
        name: Set("合成区（规模测试）".to_owned()),
        dept_id: Set(None),
        created_at: Set(now),
        points_year_start_month: Set(i32::try_from(calendar.start_month()).unwrap_or(1)),
        // The district's bound on an item's value (issue 12), as the demo district has it.
        max_item_points: Set(30),
        calendar_overrides: Set(None),
    }
    .insert(&txn)
    .await?;
    let [first_quarter, ..] = first_year.quarters();
    let version = CatalogueVersion::new(1, first_quarter, default_catalogue(), "合成数据")
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let version_id = insert_version(
        &txn,
        &district,
        None,
        &version,
        CatalogueStatus::Approved,
        Some(system),
        calendar,
    )
    .await?
    .get();
    let item_ids: BTreeMap<String, i64> = catalogue_items::Entity::find()
        .filter(catalogue_items::Column::VersionId.eq(version_id))
        .select_only()
        .column(catalogue_items::Column::Code)
        .column(catalogue_items::Column::Id)
        .into_tuple::<(String, i64)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    txn.commit().await?;
    let items: Vec<Item> = version
        .items()
        .iter()
        .filter_map(|i| {
            let (min, max) = match i.points() {
                PointsRule::Fixed(p) => (p.get(), p.get()),
                PointsRule::Range { min, max, .. } => (min.get(), max.get()),
            };
            Some(Item {
                code: i.code().to_string(),
                id: *item_ids.get(&i.code().to_string())?,
                title: i.title().to_owned(),
                suggested: i.points().suggested().get(),
                min,
                max,
                positive: i.direction() == Direction::Positive,
                declarable: i.self_declarable(),
            })
        })
        .collect();
    let positive: Vec<&Item> = items.iter().filter(|i| i.positive).collect();
    let negative: Vec<&Item> = items.iter().filter(|i| !i.positive).collect();
    let declarable: Vec<&Item> = items
        .iter()
        .filter(|i| i.positive && i.declarable)
        .collect();
    if positive.is_empty() || negative.is_empty() || declarable.is_empty() {
        return Err(StoreError::Invalid(
            "the default catalogue lacks positive, negative or declarable items".into(),
        ));
    }

    let mut ids = Ids(BTreeMap::new());
    for table in TABLES_WITH_IDS {
        let m = max_id(db, table).await?;
        ids.0.insert(table, m);
    }
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let mut report = SyntheticReport::default();
    let total = u64::from(spec.villages);
    let per_batch = 25u32;
    let mut village_no = 0u32;
    while village_no < spec.villages {
        let mut towns = Rows::new(
            "towns",
            &["id", "district_id", "code", "name", "created_at"],
        );
        let mut villages = Rows::new(
            "villages",
            &["id", "town_id", "code", "name", "created_at", "board_names"],
        );
        let mut groups = Rows::new(
            "village_groups",
            &["id", "village_id", "code", "name", "created_at"],
        );
        let mut households = Rows::new(
            "households",
            &[
                "id",
                "village_id",
                "group_id",
                "code",
                "address",
                "created_at",
            ],
        );
        let mut members = Rows::new(
            "members",
            &[
                "id",
                "household_id",
                "village_id",
                "code",
                "name",
                "relation",
                "gender",
                "birth_year",
                "kind",
                "long_term_absent",
                "party_member",
                "mobile_ciphertext",
                "mobile_key_id",
                "mobile_lookup",
                "created_at",
            ],
        );
        let mut changes = Rows::new(
            "participation_changes",
            &[
                "id",
                "member_id",
                "household_id",
                "village_id",
                "participating",
                "reason",
                "effective_on",
                "recorded_by",
                "channel",
                "recorded_at",
            ],
        );
        let mut accounts = Rows::new(
            "accounts",
            &[
                "id",
                "dingtalk_user_id",
                "name",
                "member_id",
                "active",
                "created_at",
                "updated_at",
            ],
        );
        let mut grants = Rows::new(
            "role_grants",
            &[
                "id",
                "account_id",
                "role",
                "scope_kind",
                "scope_id",
                "granted_by",
                "granted_at",
            ],
        );
        let mut entries = Rows::new(
            "ledger_entries",
            &[
                "id",
                "village_id",
                "household_id",
                "member_id",
                "points_year",
                "kind",
                "amount",
                "item_code",
                "catalogue_item_id",
                "catalogue_version_id",
                "reason",
                "actor_account_id",
                "channel",
                "request_id",
                "occurred_on",
                "created_at",
                "idempotency_key",
                "occurred_at",
                "declaration_id",
                "order_id",
                "objection_id",
            ],
        );
        let mut chain = Rows::new(
            "ledger_chain",
            &["entry_id", "village_id", "seq", "prev_hash", "hash"],
        );
        let mut totals = Rows::new(
            "household_year_totals",
            &[
                "household_id",
                "points_year",
                "village_id",
                "score",
                "balance",
                "q1",
                "q2",
                "q3",
                "q4",
                "entries",
                "board_q1",
                "board_q2",
                "board_q3",
                "board_q4",
                "board_balance_q1",
                "board_balance_q2",
                "board_balance_q3",
                "board_balance_q4",
            ],
        );
        let mut spans = Rows::new(
            "household_participation",
            &["household_id", "village_id", "from_on", "until_on"],
        );
        let mut declarations = Rows::new(
            "declarations",
            &[
                "id",
                "village_id",
                "household_id",
                "member_id",
                "declarant_account_id",
                "item_code",
                "catalogue_version_id",
                "catalogue_version",
                "item_title",
                "suggested_points",
                "min_points",
                "max_points",
                "occurred_on",
                "text",
                "state",
                "submitted_at",
                "review_deadline",
                "channel",
                "decided_at",
                "decider_account_id",
                "decision_channel",
                "points",
                "reason",
                "withdrawn_at",
                "card_out_track_id",
                "ledger_entry_id",
            ],
        );
        let mut photos = Rows::new(
            "photos",
            &[
                "id",
                "village_id",
                "household_id",
                "uploader_account_id",
                "sha256",
                "size_bytes",
                "format",
                "width",
                "height",
                "had_location",
                "created_at",
            ],
        );
        let mut declaration_photos = Rows::new(
            "declaration_photos",
            &["declaration_id", "photo_id", "position"],
        );

        let batch_end = (village_no + per_batch).min(spec.villages);
        let town_id = ids.next("towns");
        let town_no = village_no / per_batch + 1;
        towns.push(vec![
            town_id.into(),
            district.id.into(),
            format!("{}-t{town_no:03}", spec.district_code).into(),
            format!("合成第{town_no}镇").into(),
            now.into(),
        ]);
        report.towns += 1;
        while village_no < batch_end {
            village_no += 1;
            let village_id = ids.next("villages");
            villages.push(vec![
                village_id.into(),
                town_id.into(),
                format!("{}-v{village_no:05}", spec.district_code).into(),
                format!("合成{village_no}村").into(),
                now.into(),
                "masked".into(),
            ]);
            report.villages += 1;
            let group_ids: Vec<i64> = (1..=4)
                .map(|g| {
                    let id = ids.next("village_groups");
                    groups.push(vec![
                        id.into(),
                        village_id.into(),
                        format!("g{g}").into(),
                        format!("第{g}村民小组").into(),
                        now.into(),
                    ]);
                    id
                })
                .collect();
            // The village's admin, who records and decides.
            let admin = ids.next("accounts");
            accounts.push(vec![
                admin.into(),
                format!("{}-admin-{village_no}", spec.district_code).into(),
                "合成管理员".into(),
                Cell::Null,
                true.into(),
                now.into(),
                now.into(),
            ]);
            grants.push(vec![
                ids.next("role_grants").into(),
                admin.into(),
                "village_admin".into(),
                "village".into(),
                village_id.into(),
                system.get().into(),
                now.into(),
            ]);
            report.accounts += 1;
            let mut village_entries: Vec<ledger_entries::Model> = Vec::new();
            let mut declarant: Option<i64> = None;
            for h in 1..=spec.households_per_village {
                let household_id = ids.next("households");
                households.push(vec![
                    household_id.into(),
                    village_id.into(),
                    group_ids[(h as usize) % group_ids.len()].into(),
                    format!("{}-v{village_no:05}-{h:04}", spec.district_code).into(),
                    format!("合成{village_no}村{}组{h}号", h % 4 + 1).into(),
                    now.into(),
                ]);
                report.households += 1;
                let size = match rng.gen_range(0..10) {
                    0..=1 => 1,
                    2..=5 => 2,
                    6..=8 => 3,
                    _ => 4,
                };
                let surname = SURNAMES[rng.gen_range(0..SURNAMES.len())];
                let mut domain_members: Vec<Member> = Vec::new();
                let mut domain_changes: Vec<ParticipationChange> = Vec::new();
                for m in 0..size {
                    let member_id = ids.next("members");
                    let name = format!(
                        "{surname}{}{}",
                        GIVEN[rng.gen_range(0..GIVEN.len())],
                        GIVEN[rng.gen_range(0..GIVEN.len())]
                    );
                    let villager = rng.gen_bool(0.9);
                    let absent = villager && rng.gen_bool(0.08);
                    let mobile = rng
                        .gen_bool(0.7)
                        .then(|| format!("13{:09}", rng.gen_range(0..1_000_000_000u64)));
                    let sealed = mobile.as_deref().map(|m| keys.encrypt(m)).transpose()?;
                    members.push(vec![
                        member_id.into(),
                        household_id.into(),
                        village_id.into(),
                        Cell::Null,
                        name.clone().into(),
                        RELATIONS[m.min(3)].into(),
                        (if rng.gen_bool(0.5) { "男" } else { "女" }).into(),
                        i64::from(rng.gen_range(1940..2015)).into(),
                        (if villager { "villager" } else { "non_villager" }).into(),
                        absent.into(),
                        rng.gen_bool(0.05).into(),
                        sealed
                            .as_ref()
                            .map_or(Cell::Null, |s| Cell::X(s.ciphertext.clone())),
                        sealed.as_ref().map(|s| s.key_id.clone()).into(),
                        mobile.as_deref().map(|m| keys.lookup_hash(m)).into(),
                        now.into(),
                    ]);
                    report.members += 1;
                    let member = Member {
                        id: MemberId(member_id),
                        household: HouseholdId(household_id),
                        name,
                        kind: if villager {
                            ResidentKind::Villager
                        } else {
                            ResidentKind::NonVillager
                        },
                        long_term_absent: absent,
                        party_member: false,
                    };
                    // Opt-outs (3 %) and opt-ins of the long-term absent (30 %).
                    let change = if absent && rng.gen_bool(0.3) {
                        Some(true)
                    } else if rng.gen_bool(0.03) {
                        Some(false)
                    } else {
                        None
                    };
                    if let Some(opted_in) = change {
                        let first = calendar.year_first_day(first_year);
                        let span = (spec.today - first).num_days().max(1);
                        let on = first + Days::new(rng.gen_range(0..span).unsigned_abs());
                        changes.push(vec![
                            ids.next("participation_changes").into(),
                            member_id.into(),
                            household_id.into(),
                            village_id.into(),
                            opted_in.into(),
                            (if opted_in {
                                "返乡常住"
                            } else {
                                "本人申请退出"
                            })
                            .into(),
                            on.into(),
                            admin.into(),
                            "console".into(),
                            now.into(),
                        ]);
                        report.participation_changes += 1;
                        domain_changes.push(ParticipationChange {
                            member: MemberId(member_id),
                            opted_in,
                            effective_on: on,
                            recorded_by: AccountId(admin),
                            reason: String::new(),
                        });
                    }
                    domain_members.push(member);
                }
                for s in participation_spans(&domain_members, &domain_changes) {
                    spans.push(vec![
                        household_id.into(),
                        village_id.into(),
                        s.from.into(),
                        s.until.into(),
                    ]);
                }
                let head = domain_members[0].id.get();
                if declarant.is_none() {
                    let account = ids.next("accounts");
                    accounts.push(vec![
                        account.into(),
                        format!("{}-villager-{village_no}", spec.district_code).into(),
                        domain_members[0].name.clone().into(),
                        head.into(),
                        true.into(),
                        now.into(),
                        now.into(),
                    ]);
                    report.accounts += 1;
                    declarant = Some(account);
                }
                let declarant = declarant.unwrap_or(admin);
                // Entries per points-year.
                for y in 0..spec.years.max(1) {
                    let year = PointsYear(first_year.label() + i32::try_from(y).unwrap_or(0));
                    let first = calendar.year_first_day(year);
                    let last = calendar
                        .year_last_day(year)
                        .min(spec.today.pred_opt().unwrap_or(spec.today));
                    if last < first {
                        continue;
                    }
                    let days = (last - first).num_days() + 1;
                    let pick_day =
                        |rng: &mut StdRng| first + Days::new(rng.gen_range(0..days).unsigned_abs());
                    let mut year_entries: Vec<(NaiveDate, EntryKind, &Item, i64)> = Vec::new();
                    for _ in 0..rng.gen_range(2..=7) {
                        let item = positive[rng.gen_range(0..positive.len())];
                        year_entries.push((
                            pick_day(&mut rng),
                            EntryKind::Award,
                            item,
                            item.suggested,
                        ));
                    }
                    if rng.gen_bool(0.15) {
                        let item = negative[rng.gen_range(0..negative.len())];
                        year_entries.push((
                            pick_day(&mut rng),
                            EntryKind::Penalty,
                            item,
                            item.suggested,
                        ));
                    }
                    year_entries.sort_by_key(|e| e.0);
                    let mut t = YearTotals::default();
                    // One declaration per household-year, its state spread over all five.
                    let state = match rng.gen_range(0..20) {
                        0..=9 => "approved",
                        10..=12 => "rejected",
                        13..=14 => "withdrawn",
                        15..=17 => "submitted",
                        _ => "in_review",
                    };
                    let state = if year != current && matches!(state, "submitted" | "in_review") {
                        "rejected"
                    } else {
                        state
                    };
                    let declaration_id = ids.next("declarations");
                    let approved_at = year_entries
                        .iter()
                        .position(|e| e.1 == EntryKind::Award && e.2.declarable);
                    let state = if state == "approved" && approved_at.is_none() {
                        "rejected"
                    } else {
                        state
                    };
                    let mut decl_entry: Option<i64> = None;
                    for (i, (on, kind, item, amount)) in year_entries.iter().enumerate() {
                        let member = domain_members[rng.gen_range(0..domain_members.len())]
                            .id
                            .get();
                        let at = shanghai_instant(
                            *on,
                            NaiveTime::from_hms_opt(rng.gen_range(8..18), rng.gen_range(0..60), 0)
                                .unwrap_or(NaiveTime::MIN),
                        );
                        let from_declaration = state == "approved" && approved_at == Some(i);
                        let model = ledger_entries::Model {
                            id: 0,
                            village_id,
                            household_id,
                            member_id: Some(member),
                            points_year: year.label().to_string(),
                            kind: kind.to_string(),
                            amount: *amount,
                            item_code: Some(item.code.clone()),
                            catalogue_item_id: Some(item.id),
                            catalogue_version_id: Some(version_id),
                            reason: if from_declaration {
                                "村民申报审核通过".to_owned()
                            } else {
                                format!("{}（管理员录入）", item.title)
                            },
                            actor_account_id: Some(admin),
                            channel: "console".to_owned(),
                            request_id: None,
                            occurred_on: *on,
                            created_at: at,
                            idempotency_key: None,
                            occurred_at: Some(at),
                            declaration_id: from_declaration.then_some(declaration_id),
                            order_id: None,
                            objection_id: None,
                        };
                        t.apply(TotalsDelta::of_date(
                            *kind,
                            Points(*amount),
                            *on,
                            year,
                            calendar,
                        ))
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                        village_entries.push(model);
                        if from_declaration {
                            decl_entry = Some(i64::try_from(village_entries.len()).unwrap_or(0));
                        }
                    }
                    // The year close of a finished year (R14, D4): −balance, no member.
                    let close = calendar.year_close_date(year);
                    if year != current && close < spec.today && t.balance.get() != 0 {
                        let at = shanghai_instant(
                            close,
                            NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN),
                        );
                        let amount = -t.balance.get();
                        village_entries.push(ledger_entries::Model {
                            id: 0,
                            village_id,
                            household_id,
                            member_id: None,
                            points_year: year.label().to_string(),
                            kind: EntryKind::YearClose.to_string(),
                            amount,
                            item_code: None,
                            catalogue_item_id: None,
                            catalogue_version_id: None,
                            reason: "年度清零".to_owned(),
                            actor_account_id: Some(system.get()),
                            channel: "job".to_owned(),
                            request_id: None,
                            occurred_on: close,
                            created_at: at,
                            idempotency_key: None,
                            occurred_at: Some(at),
                            declaration_id: None,
                            order_id: None,
                            objection_id: None,
                        });
                        t.apply(TotalsDelta::of_date(
                            EntryKind::YearClose,
                            Points(amount),
                            close,
                            year,
                            calendar,
                        ))
                        .map_err(|e| StoreError::Invalid(e.to_string()))?;
                    }
                    if t.entries > 0 {
                        totals.push(vec![
                            household_id.into(),
                            year.label().to_string().into(),
                            village_id.into(),
                            t.score.get().into(),
                            t.balance.get().into(),
                            t.quarter_points[0].get().into(),
                            t.quarter_points[1].get().into(),
                            t.quarter_points[2].get().into(),
                            t.quarter_points[3].get().into(),
                            t.entries.into(),
                            t.board_points[0].get().into(),
                            t.board_points[1].get().into(),
                            t.board_points[2].get().into(),
                            t.board_points[3].get().into(),
                            t.board_balance[0].get().into(),
                            t.board_balance[1].get().into(),
                            t.board_balance[2].get().into(),
                            t.board_balance[3].get().into(),
                        ]);
                    }
                    // The declaration, with one photo referenced by its hash.
                    let item = match approved_at {
                        Some(i) if state == "approved" => year_entries[i].2,
                        _ => declarable[rng.gen_range(0..declarable.len())],
                    };
                    let on = approved_at
                        .filter(|_| state == "approved")
                        .map_or_else(|| pick_day(&mut rng), |i| year_entries[i].0);
                    let submitted = shanghai_instant(
                        on,
                        NaiveTime::from_hms_opt(20, 0, 0).unwrap_or(NaiveTime::MIN),
                    );
                    let decided = matches!(state, "approved" | "rejected").then_some(submitted);
                    declarations.push(vec![
                        declaration_id.into(),
                        village_id.into(),
                        household_id.into(),
                        head.into(),
                        declarant.into(),
                        item.code.clone().into(),
                        version_id.into(),
                        1i64.into(),
                        item.title.clone().into(),
                        item.suggested.into(),
                        item.min.into(),
                        item.max.into(),
                        on.into(),
                        format!("申报：{}", item.title).into(),
                        state.into(),
                        submitted.into(),
                        (on + Days::new(7)).into(),
                        "mini_app".into(),
                        decided.into(),
                        decided.map(|_| admin).into(),
                        decided.map(|_| "console").into(),
                        (state == "approved").then_some(item.suggested).into(),
                        (state == "rejected")
                            .then_some("证明材料不足".to_owned())
                            .into(),
                        (state == "withdrawn").then_some(submitted).into(),
                        format!("{}-decl-{declaration_id}", spec.district_code).into(),
                        Cell::Null,
                    ]);
                    // The approved declaration's entry id is known once ids are given below.
                    if let Some(pos) = decl_entry
                        && let Some(row) = declarations.rows.last_mut()
                    {
                        row[25] = Cell::S(format!("@{pos}"));
                    }
                    report.declarations += 1;
                    let photo_id = ids.next("photos");
                    let mut sha = [0u8; 32];
                    rng.fill(&mut sha);
                    photos.push(vec![
                        photo_id.into(),
                        village_id.into(),
                        household_id.into(),
                        declarant.into(),
                        hex::encode(sha).into(),
                        i64::from(rng.gen_range(200_000..2_000_000)).into(),
                        "jpeg".into(),
                        1600i64.into(),
                        1200i64.into(),
                        false.into(),
                        submitted.into(),
                    ]);
                    declaration_photos.push(vec![
                        declaration_id.into(),
                        photo_id.into(),
                        0i64.into(),
                    ]);
                    report.photos += 1;
                }
            }
            // Booking order within the village: ids and the hash chain follow the dates.
            let mut order: Vec<usize> = (0..village_entries.len()).collect();
            order.sort_by_key(|&i| (village_entries[i].occurred_at, i));
            let mut id_of_position = vec![0i64; village_entries.len()];
            let mut prev = crate::chain::GENESIS.to_owned();
            for (seq, &i) in order.iter().enumerate() {
                let id = ids.next("ledger_entries");
                id_of_position[i] = id;
                let e = &mut village_entries[i];
                e.id = id;
                let hash = crate::chain::link_hash(&prev, e);
                chain.push(vec![
                    id.into(),
                    village_id.into(),
                    i64::try_from(seq + 1).unwrap_or(i64::MAX).into(),
                    prev.clone().into(),
                    hash.clone().into(),
                ]);
                prev = hash;
            }
            for &i in &order {
                let e = &village_entries[i];
                entries.push(vec![
                    e.id.into(),
                    e.village_id.into(),
                    e.household_id.into(),
                    e.member_id.into(),
                    e.points_year.clone().into(),
                    e.kind.clone().into(),
                    e.amount.into(),
                    e.item_code.clone().into(),
                    e.catalogue_item_id.into(),
                    e.catalogue_version_id.into(),
                    e.reason.clone().into(),
                    e.actor_account_id.into(),
                    e.channel.clone().into(),
                    Cell::Null,
                    e.occurred_on.into(),
                    e.created_at.into(),
                    Cell::Null,
                    e.occurred_at.into(),
                    e.declaration_id.into(),
                    Cell::Null,
                    Cell::Null,
                ]);
                report.ledger_entries += 1;
            }
            for row in &mut declarations.rows {
                if let Cell::S(marker) = &row[25]
                    && let Some(pos) = marker
                        .strip_prefix('@')
                        .and_then(|p| p.parse::<usize>().ok())
                {
                    row[25] = id_of_position
                        .get(pos.saturating_sub(1))
                        .copied()
                        .map_or(Cell::Null, Cell::I);
                }
            }
        }
        write_batch(
            store,
            vec![
                towns,
                villages,
                groups,
                households,
                members,
                accounts,
                grants,
                changes,
                entries,
                chain,
                totals,
                spans,
                declarations,
                photos,
                declaration_photos,
            ],
        )
        .await?;
        progress(u64::from(village_no), total);
    }
    if db.get_database_backend() == DatabaseBackend::Postgres {
        for table in TABLES_WITH_IDS {
            db.execute(sea_orm::Statement::from_string(
                DatabaseBackend::Postgres,
                format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     GREATEST((SELECT MAX(id) FROM {table}), 1))"
                ),
            ))
            .await?;
        }
        db.execute(sea_orm::Statement::from_string(
            DatabaseBackend::Postgres,
            "ANALYZE".to_owned(),
        ))
        .await?;
    }
    Ok(report)
}
