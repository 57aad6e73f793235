//! The district's default catalogue template: the 25 norms described under R5 in `docs/rules.md`
//! (三类 25 条: 15 正面 + 10 负面), shipped as an editable version 1.
//!
//! Caps: the template's cap numbers are points per household per quarter (its totals line, "+40
//! to +90 a quarter from the capped routine items", only adds up that way: the caps sum to 89).
//! For fixed-point items they are expressed as counts (`12` points of a `+3` item = 4 times a
//! quarter); for the ranged DE-02 as a points cap. ML-04's "once per item per year" becomes 4 a
//! year (the four improvements it names).

use crate::ids::{ItemCode, Points};

use super::{
    Cap, CatalogueItem, CatalogueItemSpec, Category, Direction, Evidence, PointsRule, Recorders,
};

struct Row {
    code: &'static str,
    direction: Direction,
    title: &'static str,
    description: &'static str,
    points: PointsRule,
    cap: Cap,
    /// (photo required, least photos, evidence description)
    evidence: (bool, u8, &'static str),
    recorders: &'static str,
}

const fn fixed(p: i64) -> PointsRule {
    PointsRule::Fixed(Points(p))
}

const fn range(min: i64, max: i64, suggested: i64) -> PointsRule {
    PointsRule::Range {
        min: Points(min),
        max: Points(max),
        suggested: Points(suggested),
    }
}

use Direction::{Negative as NEG, Positive as POS};

#[rustfmt::skip]
const ROWS: [Row; 25] = [
    // 平安建设
    Row { code: "PA-01", direction: POS, title: "参加治安巡逻、防火防汛值守等群防群治", description: "每人每班次 +3", points: fixed(3), cap: Cap::PerQuarter(4), evidence: (false, 1, "照片或组织者花名册"), recorders: "O,S" },
    Row { code: "PA-02", direction: POS, title: "举报违法线索或安全隐患（火灾、用电、溺水、地灾），经核实", description: "", points: fixed(5), cap: Cap::PerQuarter(3), evidence: (true, 1, "照片及地点；核实说明"), recorders: "S" },
    Row { code: "PA-03", direction: POS, title: "见义勇为、抢险救灾表现突出（村级认定；区级及以上认定 +30）", description: "村级认定 +20，区级及以上认定 +30", points: range(20, 30, 20), cap: Cap::None, evidence: (false, 1, "认定文件"), recorders: "C" },
    Row { code: "PA-04", direction: POS, title: "通过村调委会调解化解邻里矛盾纠纷", description: "", points: fixed(5), cap: Cap::PerQuarter(2), evidence: (false, 1, "调解记录"), recorders: "C" },
    Row { code: "PA-05", direction: POS, title: "参加反诈、禁毒、防溺水、消防等安全教育或完成反诈APP注册答题", description: "", points: fixed(2), cap: Cap::PerQuarter(2), evidence: (false, 1, "签到或截图"), recorders: "O,S" },
    Row { code: "PA-06", direction: NEG, title: "家庭成员受到治安处罚（赌博、打架、酒驾、盗窃等）", description: "", points: fixed(-20), cap: Cap::None, evidence: (false, 1, "处罚决定书"), recorders: "C" },
    Row { code: "PA-07", direction: NEG, title: "野外违规用火：焚烧秸秆垃圾、燃放违禁烟花", description: "", points: fixed(-5), cap: Cap::None, evidence: (true, 1, "注明时间、地点的照片"), recorders: "C,G" },
    Row { code: "PA-08", direction: NEG, title: "阻挠村公共工程或干部依法履职，参与邪教、非法组织活动", description: "", points: fixed(-10), cap: Cap::None, evidence: (false, 1, "经镇街确认的记录"), recorders: "C" },
    // 道德建设
    Row { code: "DE-01", direction: POS, title: "孝老爱亲、家庭和睦（季度评议）", description: "", points: fixed(5), cap: Cap::PerQuarter(1), evidence: (false, 1, "评议记录"), recorders: "G" },
    Row { code: "DE-02", direction: POS, title: "参加村组织的志愿服务或义务劳动（满2小时 +3）", description: "每人每次 +2，满2小时 +3", points: range(2, 3, 2), cap: Cap::PointsPerQuarter(Points(15)), evidence: (false, 1, "签到签退或组织者确认"), recorders: "O,S" },
    Row { code: "DE-03", direction: POS, title: "婚丧事宜简办，符合村规民约（红白理事会确认）", description: "", points: fixed(10), cap: Cap::None, evidence: (false, 1, "红白理事会签字确认"), recorders: "C" },
    Row { code: "DE-04", direction: POS, title: "参加村民（代表）大会、院坝会、夜校或政策宣讲", description: "每人每次 +1", points: fixed(1), cap: Cap::PerQuarter(3), evidence: (false, 1, "签到"), recorders: "O" },
    Row { code: "DE-05", direction: POS, title: "家庭或成员获得表彰（镇级5、区级10、市级20、省级及以上30）", description: "镇级 +5，区级 +10，市级 +20，省级及以上 +30", points: range(5, 30, 5), cap: Cap::None, evidence: (true, 1, "荣誉证书照片"), recorders: "S" },
    Row { code: "DE-06", direction: POS, title: "家庭成员参军入伍或考取大学、高职", description: "每人 +5", points: fixed(5), cap: Cap::None, evidence: (true, 1, "入伍通知书或录取通知书照片"), recorders: "S" },
    Row { code: "DE-07", direction: NEG, title: "不赡养、不抚养，家庭暴力、虐待遗弃（经调解或有关部门认定）", description: "", points: fixed(-20), cap: Cap::None, evidence: (false, 1, "有关部门认定"), recorders: "C" },
    Row { code: "DE-08", direction: NEG, title: "大操大办、索要高额彩礼、借机敛财办酒席", description: "视情节扣 3 至 15 分", points: range(-15, -3, -10), cap: Cap::None, evidence: (false, 1, "红白理事会记录"), recorders: "C" },
    Row { code: "DE-09", direction: NEG, title: "封建迷信敛财、散布谣言、辱骂挑衅邻里（经劝阻不改）", description: "", points: fixed(-5), cap: Cap::None, evidence: (false, 1, "记录及证人"), recorders: "C" },
    // 美丽建设
    Row { code: "ML-01", direction: POS, title: "季度庭院及室内环境评比：优 +10，良 +5", description: "优 +10，良 +5", points: range(5, 10, 10), cap: Cap::PerQuarter(1), evidence: (true, 2, "评比表及2张照片"), recorders: "G" },
    Row { code: "ML-02", direction: POS, title: "落实门前三包、垃圾分类正确（抽查合格）", description: "", points: fixed(2), cap: Cap::PerQuarter(3), evidence: (true, 1, "检查人员拍摄的照片"), recorders: "C,G,S" },
    Row { code: "ML-03", direction: POS, title: "参加村环境整治、人居环境集中行动", description: "每人每次 +3", points: fixed(3), cap: Cap::PerQuarter(3), evidence: (true, 1, "签到及照片"), recorders: "O,S" },
    Row { code: "ML-04", direction: POS, title: "完成卫生厕所改造、污水接管、庭院绿化等，或达到\"最美庭院\"标准", description: "每项 +10，每项每年一次", points: fixed(10), cap: Cap::PerYear(4), evidence: (true, 2, "改造前后照片"), recorders: "S" },
    Row { code: "ML-05", direction: NEG, title: "房前屋后乱堆乱放，限期未整改", description: "每处 -5，每季度最多扣 15 分", points: fixed(-5), cap: Cap::PointsPerQuarter(Points(-15)), evidence: (true, 2, "照片、整改通知日期及复查照片"), recorders: "C,G" },
    Row { code: "ML-06", direction: NEG, title: "乱倒垃圾污水，乱扔农药瓶、农膜", description: "", points: fixed(-5), cap: Cap::None, evidence: (true, 1, "注明时间、地点的照片"), recorders: "C,G" },
    Row { code: "ML-07", direction: NEG, title: "违法搭建（经镇街认定）", description: "", points: fixed(-10), cap: Cap::None, evidence: (true, 1, "照片及镇街认定"), recorders: "C" },
    Row { code: "ML-08", direction: NEG, title: "畜禽散养或粪污未处理，损坏公共设施绿化，乱砍滥伐", description: "", points: fixed(-5), cap: Cap::None, evidence: (true, 1, "照片"), recorders: "C,G" },
];

fn category_for(code: &ItemCode) -> Category {
    match code.prefix() {
        "PA" => Category::safety(),
        "DE" => Category::morality(),
        _ => Category::beauty(),
    }
}

fn build(row: &Row) -> Option<CatalogueItem> {
    let code = ItemCode::parse(row.code).ok()?;
    let (photo_required, min_photos, evidence) = row.evidence;
    let spec = CatalogueItemSpec {
        category: category_for(&code),
        code,
        subcategory: None,
        direction: row.direction,
        title: row.title.to_owned(),
        description: row.description.to_owned(),
        points: row.points,
        evidence: Evidence {
            photo_required,
            min_photos,
            description: evidence.to_owned(),
        },
        recorders: Recorders::parse(row.recorders).ok()?,
        cap: row.cap,
    };
    CatalogueItem::try_from(spec).ok()
}

/// The 25 norms of the default template, in template order (PA-01 … ML-08). Every row is
/// checked by the tests to build; the template is data the district office edits afterwards.
#[must_use]
pub fn default_catalogue() -> Vec<CatalogueItem> {
    ROWS.iter().filter_map(build).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(code: &str) -> CatalogueItem {
        let code = ItemCode::parse(code).unwrap();
        default_catalogue()
            .into_iter()
            .find(|i| i.code() == &code)
            .unwrap()
    }

    #[test]
    fn r5_default_template_has_25_norms_15_positive_10_negative() {
        let items = default_catalogue();
        assert_eq!(items.len(), 25, "every template row must build");
        let positive = items
            .iter()
            .filter(|i| i.direction() == Direction::Positive)
            .count();
        assert_eq!((positive, items.len() - positive), (15, 10));
    }

    #[test]
    fn r5_three_categories_8_9_8() {
        let items = default_catalogue();
        let count = |name: &str| items.iter().filter(|i| i.category().name == name).count();
        assert_eq!(
            (count("平安建设"), count("道德建设"), count("美丽建设")),
            (8, 9, 8)
        );
    }

    #[test]
    fn r6_negative_template_items_are_not_self_declarable() {
        for i in default_catalogue() {
            if i.direction() == Direction::Negative {
                assert!(!i.self_declarable(), "{}", i.code());
                assert!(i.points().suggested().is_negative(), "{}", i.code());
            }
        }
    }

    #[test]
    fn r6_template_values_match_the_table() {
        assert_eq!(item("PA-01").points(), &PointsRule::Fixed(Points(3)));
        assert!(item("PA-01").self_declarable());
        assert!(!item("PA-03").self_declarable());
        assert!(item("PA-03").points().accepts(Points(30)));
        let de08 = item("DE-08");
        assert!(de08.points().accepts(Points(-15)) && de08.points().accepts(Points(-3)));
        assert_eq!(de08.points().suggested(), Points(-10));
        assert_eq!(item("ML-05").cap(), Cap::PointsPerQuarter(Points(-15)));
        assert_eq!(item("ML-01").cap(), Cap::PerQuarter(1));
        assert_eq!(item("ML-04").evidence().photo_range(), 2..=9);
        assert_eq!(item("DE-04").recorders().to_string(), "O");
        assert_eq!(item("ML-02").recorders().to_string(), "C,G,S");
    }

    #[test]
    fn template_caps_total_89_points_a_quarter() {
        // The template's calibration: capped routine items give at most about +90 a quarter.
        let total: i64 = default_catalogue()
            .iter()
            .map(|i| match i.cap() {
                Cap::PerQuarter(n) => {
                    i.points().suggested().get().max(match i.points() {
                        PointsRule::Range { max, .. } => max.get(),
                        PointsRule::Fixed(p) => p.get(),
                    }) * i64::from(n)
                }
                Cap::PointsPerQuarter(p) if p.is_positive() => p.get(),
                _ => 0,
            })
            .sum();
        assert_eq!(total, 89);
    }
}
