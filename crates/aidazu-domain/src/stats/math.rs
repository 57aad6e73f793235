//! The arithmetic of the statistics: written once, tested here and in `tests.rs`.

use serde::{Deserialize, Serialize};

/// The median: the middle value of the sorted values, or the mean of the two middle ones when
/// their number is even; `None` for no values.
#[must_use]
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    if n % 2 == 1 {
        sorted.get(mid).copied()
    } else {
        Some((sorted.get(mid - 1)? + sorted.get(mid)?) / 2.0)
    }
}

/// The `p`-th percentile by nearest rank: the smallest value with at least `p` % of the values at
/// or below it (rank ⌈p·n/100⌉ of the sorted values, at least 1); `None` for no values or `p`
/// outside 1..=100. Always one of the values (no interpolation).
#[must_use]
pub fn percentile_nearest_rank(values: &[f64], p: u32) -> Option<f64> {
    if values.is_empty() || !(1..=100).contains(&p) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let p = usize::try_from(p).ok()?;
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The Gini coefficient of the values (0 = everyone equal, towards 1 = all in one hand):
/// G = Σᵢ (2i − n − 1)·xᵢ / (n·Σx) over the values sorted ascending, i = 1..n. A negative value
/// (a year score below zero) counts as 0: the coefficient measures how the points earned are
/// spread. `None` for no values; 0 when nobody has anything.
#[must_use]
pub fn gini(values: &[i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted: Vec<i128> = values.iter().map(|v| i128::from((*v).max(0))).collect();
    sorted.sort_unstable();
    let n = i128::try_from(sorted.len()).ok()?;
    let total: i128 = sorted.iter().sum();
    if total == 0 {
        return Some(0.0);
    }
    let weighted: i128 = sorted
        .iter()
        .zip(1i128..)
        .map(|(x, i)| (2 * i - n - 1) * x)
        .sum();
    #[allow(clippy::cast_precision_loss)] // village sums are far below 2^53
    Some(weighted as f64 / (n * total) as f64)
}

/// `part / whole`, `None` when `whole` is 0.
#[must_use]
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // counts of a village
    (whole != 0).then(|| part as f64 / whole as f64)
}

/// Whether a household's points in the window before the honours are a surge: at least
/// `min_points`, and at least `factor` times what its pace over the earlier part of the year
/// would give in a window of the same length. Compared exactly in integers:
/// `window × earlier_days ≥ factor × max(earlier, 0) × window_days`. A household with nothing
/// before surges as soon as it reaches `min_points`.
#[must_use]
pub fn is_surge(
    window_points: i64,
    window_days: i64,
    earlier_points: i64,
    earlier_days: i64,
    min_points: i64,
    factor: i64,
) -> bool {
    if window_points < min_points || window_days <= 0 {
        return false;
    }
    if earlier_days <= 0 {
        return true;
    }
    i128::from(window_points) * i128::from(earlier_days)
        >= i128::from(factor) * i128::from(earlier_points.max(0)) * i128::from(window_days)
}

/// The surname of a Chinese name: two characters for the common compound surnames (欧阳, 司马,
/// 诸葛, …), else the first character. Empty for an empty name.
#[must_use]
pub fn surname(name: &str) -> String {
    const COMPOUND: [&str; 12] = [
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯",
        "司徒",
    ];
    let name = name.trim();
    if let Some(c) = COMPOUND.iter().find(|c| name.starts_with(**c)) {
        return (*c).to_owned();
    }
    name.chars().next().map(String::from).unwrap_or_default()
}

/// Age bands of the participation figures; the age is the calendar year minus the birth year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    Under18,
    From18To44,
    From45To59,
    From60To69,
    From70,
    Unknown,
}

impl AgeBand {
    pub const ALL: [Self; 6] = [
        Self::Under18,
        Self::From18To44,
        Self::From45To59,
        Self::From60To69,
        Self::From70,
        Self::Unknown,
    ];

    /// The band of someone born in `birth_year`, in calendar year `year`.
    #[must_use]
    pub fn of(birth_year: Option<i32>, year: i32) -> Self {
        match birth_year.map(|b| year.saturating_sub(b)) {
            None => Self::Unknown,
            Some(a) if a < 18 => Self::Under18,
            Some(a) if a < 45 => Self::From18To44,
            Some(a) if a < 60 => Self::From45To59,
            Some(a) if a < 70 => Self::From60To69,
            Some(_) => Self::From70,
        }
    }

    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Under18 => "18岁以下",
            Self::From18To44 => "18–44岁",
            Self::From45To59 => "45–59岁",
            Self::From60To69 => "60–69岁",
            Self::From70 => "70岁及以上",
            Self::Unknown => "未登记",
        }
    }
}
