//! The documents of a publication: the public board page (mobile-first HTML), the spreadsheet
//! (xlsx, `rust_xlsxwriter`) and the A3 poster (print HTML → PDF by headless Chromium; the
//! choice and its cost are in `docs/poster.md`). All three show totals only, never items by kind.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::spreadsheet::text_width;

use super::Publication;
use crate::AppError;

/// How posters are printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosterConfig {
    /// The Chromium (or Chrome) binary that prints the poster.
    pub chromium: PathBuf,
    /// Longest a print may take.
    pub timeout: Duration,
}

impl Default for PosterConfig {
    fn default() -> Self {
        Self {
            chromium: PathBuf::from("chromium"),
            timeout: Duration::from_secs(60),
        }
    }
}

/// The board page's colour pairs (text, background): each must reach WCAG contrast 4.5:1.
pub const BOARD_COLOURS: [(&str, &str); 5] = [
    ("#1a1a1a", "#ffffff"), // body text
    ("#333333", "#ffffff"), // meta lines, digest
    ("#0b3d91", "#ffffff"), // headings, links
    ("#ffffff", "#0b3d91"), // table header
    ("#1a1a1a", "#fff8e6"), // notices
];

/// WCAG 2 contrast ratio of two `#rrggbb` colours.
#[must_use]
pub fn contrast_ratio(a: &str, b: &str) -> f64 {
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let v = hex
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .map_or(0.0, |v| f64::from(v) / 255.0);
            if v <= 0.039_28 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn title(p: &Publication) -> String {
    let c = &p.content;
    format!(
        "{}{}积分公示{}",
        c.village.name,
        c.period_label,
        if c.amended { "（更正）" } else { "" }
    )
}

/// The public board page (no login): mobile-first, text at least 18 px, dark text on white
/// (contrast well above 4.5:1), in Chinese. `versions` lists the other versions' links.
#[must_use]
pub fn board_html(p: &Publication, poster_url: &str, xlsx_url: &str) -> String {
    let c = &p.content;
    let mut rows = String::new();
    for r in &c.rows {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.rank,
            esc(&r.name),
            r.quarter_points,
            r.score,
            r.balance
        );
    }
    if c.rows.is_empty() {
        rows.push_str("<tr><td colspan=\"5\">本季度暂无参与农户</td></tr>");
    }
    let mut corrections = String::new();
    if c.amended {
        corrections.push_str("<section class=\"notice\"><h2>更正说明</h2><p>本版为更正版（第 ");
        let _ = write!(
            corrections,
            "{} 版），此前版本仍可查阅。</p><ul>",
            c.version
        );
        for k in &c.corrections {
            let _ = write!(
                corrections,
                "<li>{}：{:+} 分（异议 {} 号）</li>",
                esc(&k.name),
                k.amount,
                k.objection_id
            );
        }
        corrections.push_str("</ul></section>");
    }
    let avg = c.average_score.as_deref().unwrap_or("—");
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
html{{font-size:18px}}
body{{margin:0;padding:16px;font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","PingFang SC",sans-serif;font-size:1rem;line-height:1.6;color:#1a1a1a;background:#ffffff}}
h1{{font-size:1.5rem;line-height:1.3;margin:0 0 8px;color:#0b3d91}}
h2{{font-size:1.2rem;margin:16px 0 8px;color:#0b3d91}}
p,li,td,th{{font-size:1rem}}
.meta{{color:#333333}}
table{{width:100%;border-collapse:collapse;margin-top:8px}}
th,td{{border-bottom:1px solid #767676;padding:8px 4px;text-align:right}}
th:nth-child(2),td:nth-child(2){{text-align:left}}
th{{background:#0b3d91;color:#ffffff}}
.notice{{border:2px solid #8a4b00;padding:8px 12px;margin-top:12px;color:#1a1a1a;background:#fff8e6}}
.digest{{word-break:break-all;color:#333333}}
a{{color:#0b3d91}}
</style></head><body>
<h1>{title}</h1>
<p class="meta">{committee} · 统计期间 {first} 至 {last} · 公示日期 {published}</p>
<p>全村平均年度积分：<strong>{avg}</strong> 分（参与农户 {n} 户）</p>
{corrections}
<table><thead><tr><th>名次</th><th>农户</th><th>本季积分</th><th>年度积分</th><th>可用积分</th></tr></thead>
<tbody>{rows}</tbody></table>
<section class="notice"><h2>异议</h2><p>异议期至 <strong>{deadline}</strong>。{how}</p></section>
<p>下载：<a href="{poster}">A3 公示海报（PDF）</a> · <a href="{xlsx}">表格（Excel）</a></p>
<p class="digest">数字摘要（SHA-256）：{digest}</p>
<p class="digest">台账哈希链头：{chain}（共 {links} 条记录）</p>
</body></html>
"#,
        title = esc(&title(p)),
        committee = esc(&c.committee),
        first = c.quarter_first_day,
        last = c.quarter_last_day,
        published = p.published_on,
        n = c.rows.len(),
        deadline = p.objection_last_day,
        how = esc(&c.how_to_object),
        poster = esc(poster_url),
        xlsx = esc(xlsx_url),
        digest = esc(&p.digest),
        chain = esc(c.chain_head_short()),
        links = c.chain_links,
    )
}

/// The board as a spreadsheet (one sheet; Chinese column widths set by hand).
///
/// # Errors
/// [`AppError::Document`] when the workbook cannot be written.
pub fn board_xlsx(p: &Publication) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Document(format!("xlsx: {e}"));
    let c = &p.content;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("积分公示").map_err(fail)?;
    let bold = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    sheet
        .write_string_with_format(0, 0, title(p), &bold)
        .map_err(fail)?;
    sheet
        .write_string(
            1,
            0,
            format!(
                "{}；统计期间 {} 至 {}；公示日期 {}；异议期至 {}；平均年度积分 {} 分",
                c.committee,
                c.quarter_first_day,
                c.quarter_last_day,
                p.published_on,
                p.objection_last_day,
                c.average_score.as_deref().unwrap_or("—")
            ),
        )
        .map_err(fail)?;
    let headers = ["名次", "户号", "农户", "本季积分", "年度积分", "可用积分"];
    let mut widths: Vec<usize> = headers.iter().map(|h| text_width(h)).collect();
    for (col, h) in (0u16..).zip(headers) {
        sheet
            .write_string_with_format(3, col, h, &header)
            .map_err(fail)?;
    }
    for (row, r) in (4u32..).zip(&c.rows) {
        let texts = [
            r.rank.to_string(),
            r.household_code.clone(),
            r.name.clone(),
            r.quarter_points.to_string(),
            r.score.to_string(),
            r.balance.to_string(),
        ];
        for (i, t) in texts.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(text_width(t));
            }
        }
        sheet
            .write_number_with_format(row, 0, f64::from(r.rank), &cell)
            .map_err(fail)?;
        sheet
            .write_string_with_format(row, 1, &r.household_code, &cell)
            .map_err(fail)?;
        sheet
            .write_string_with_format(row, 2, &r.name, &cell)
            .map_err(fail)?;
        for (col, v) in [(3u16, r.quarter_points), (4, r.score), (5, r.balance)] {
            // Points fit f64 exactly far beyond any real score.
            #[expect(clippy::cast_precision_loss, reason = "points are far below 2^53")]
            sheet
                .write_number_with_format(row, col, v as f64, &cell)
                .map_err(fail)?;
        }
    }
    for (col, w) in (0u16..).zip(&widths) {
        #[expect(clippy::cast_precision_loss, reason = "column widths are small")]
        sheet.set_column_width(col, (*w + 2) as f64).map_err(fail)?;
    }
    let last = 5 + u32::try_from(c.rows.len()).unwrap_or(u32::MAX - 10);
    sheet
        .write_string(last, 0, format!("数字摘要（SHA-256）：{}", p.digest))
        .map_err(fail)?;
    workbook.save_to_buffer().map_err(fail)
}

/// The A3 poster as print HTML: title, period, the ranking in as many columns as fit, the
/// average, the objection deadline and how to object, the digest, the date and the committee.
#[must_use]
pub fn poster_html(p: &Publication) -> String {
    let c = &p.content;
    const PER_COLUMN: usize = 36;
    let columns = c.rows.len().div_ceil(PER_COLUMN).clamp(1, 4);
    let per_column = c.rows.len().div_ceil(columns).max(1);
    let font = match columns {
        1 | 2 => 15,
        3 => 12,
        _ => 10,
    };
    let mut tables = String::new();
    for chunk in c.rows.chunks(per_column) {
        tables.push_str(
            "<table><thead><tr><th>名次</th><th>农户</th><th>本季</th><th>年度</th><th>可用</th></tr></thead><tbody>",
        );
        for r in chunk {
            let _ = write!(
                tables,
                "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.rank,
                esc(&r.name),
                r.quarter_points,
                r.score,
                r.balance
            );
        }
        tables.push_str("</tbody></table>");
    }
    if c.rows.is_empty() {
        tables.push_str("<p>本季度暂无参与农户。</p>");
    }
    let mut corrections = String::new();
    if c.amended {
        corrections.push_str("<p class=\"amended\">更正版：");
        for k in &c.corrections {
            let _ = write!(corrections, "{} {:+} 分；", esc(&k.name), k.amount);
        }
        corrections.push_str("原公示版本仍可查阅。</p>");
    }
    format!(
        r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
@page {{ size: A3 portrait; margin: 12mm; }}
body {{ margin:0; font-family:"Noto Sans CJK SC","Noto Serif CJK SC","WenQuanYi Micro Hei",sans-serif; color:#000; }}
h1 {{ font-size:36pt; text-align:center; margin:0 0 4mm; }}
.sub {{ text-align:center; font-size:14pt; margin:0 0 6mm; }}
.cols {{ display:grid; grid-template-columns:repeat({columns}, 1fr); gap:6mm; }}
table {{ border-collapse:collapse; width:100%; font-size:{font}pt; }}
th,td {{ border:0.6pt solid #000; padding:1mm 2mm; text-align:right; }}
th {{ background:#e6e6e6; }}
td.n {{ text-align:left; }}
.foot {{ margin-top:6mm; font-size:13pt; line-height:1.6; }}
.amended {{ font-size:14pt; font-weight:bold; }}
.sign {{ text-align:right; font-size:14pt; margin-top:6mm; }}
</style></head><body>
<h1>{title}</h1>
<p class="sub">统计期间 {first} 至 {last} ｜ 全村平均年度积分 {avg} 分 ｜ 参与农户 {n} 户</p>
{corrections}
<div class="cols">{tables}</div>
<div class="foot">
<p>异议期至 {deadline}。{how}</p>
<p>数字摘要（SHA-256）：{digest}</p>
<p>台账哈希链头：{chain}（共 {links} 条记录）</p>
</div>
<p class="sign">{committee}<br>{published}</p>
</body></html>
"#,
        title = esc(&title(p)),
        first = c.quarter_first_day,
        last = c.quarter_last_day,
        avg = c.average_score.as_deref().unwrap_or("—"),
        n = c.rows.len(),
        deadline = p.objection_last_day,
        how = esc(&c.how_to_object),
        digest = esc(&p.digest),
        chain = esc(c.chain_head_short()),
        links = c.chain_links,
        committee = esc(&c.committee),
        published = p.published_on,
    )
}

/// Whether a CJK font is installed (fontconfig knows a font covering Chinese).
fn cjk_font_available() -> bool {
    std::process::Command::new("fc-list")
        .args([":lang=zh", "family"])
        .output()
        .map(|o| o.status.success() && !o.stdout.trim_ascii().is_empty())
        .unwrap_or(false)
}

/// Prints the poster to an A3 PDF with headless Chromium.
///
/// # Errors
/// [`AppError::PosterUnavailable`] when no CJK font or no Chromium is installed, or the print
/// fails or takes longer than the configured timeout.
pub async fn poster_pdf(p: &Publication, config: &PosterConfig) -> Result<Vec<u8>, AppError> {
    let html = poster_html(p);
    let config = config.clone();
    tokio::task::spawn_blocking(move || print_pdf(&html, &config))
        .await
        .map_err(|e| AppError::PosterUnavailable(format!("print task: {e}")))?
}

fn print_pdf(html: &str, config: &PosterConfig) -> Result<Vec<u8>, AppError> {
    if !cjk_font_available() {
        return Err(AppError::PosterUnavailable(
            "no CJK font is installed (scripts/setup-system installs fonts-noto-cjk)".into(),
        ));
    }
    let dir = std::env::temp_dir().join(format!("aidazu-poster-{}", uuid::Uuid::new_v4().simple()));
    let unavailable = |what: String| AppError::PosterUnavailable(what);
    std::fs::create_dir_all(&dir).map_err(|e| unavailable(format!("temp dir: {e}")))?;
    let result = (|| {
        let page = dir.join("poster.html");
        let pdf = dir.join("poster.pdf");
        std::fs::write(&page, html).map_err(|e| unavailable(format!("write page: {e}")))?;
        let mut child = std::process::Command::new(&config.chromium)
            .arg("--headless=new")
            .arg("--no-sandbox")
            .arg("--disable-gpu")
            .arg("--disable-background-networking")
            .arg("--no-pdf-header-footer")
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(format!("--print-to-pdf={}", pdf.display()))
            .arg(format!("file://{}", page.display()))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                unavailable(format!(
                    "cannot start {} (key `poster.chromium`; scripts/setup-system installs chromium): {e}",
                    config.chromium.display()
                ))
            })?;
        #[expect(
            clippy::disallowed_methods,
            reason = "a print timeout is about real time"
        )]
        let started = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => break,
                Ok(Some(status)) => {
                    return Err(unavailable(format!("chromium exited with {status}")));
                }
                Ok(None) if started.elapsed() > config.timeout => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(unavailable("printing the poster timed out".into()));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(unavailable(format!("chromium: {e}"))),
            }
        }
        std::fs::read(&pdf).map_err(|e| unavailable(format!("read pdf: {e}")))
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r16_board_page_colours_reach_contrast_4_5() {
        for (fg, bg) in BOARD_COLOURS {
            let ratio = contrast_ratio(fg, bg);
            assert!(ratio >= 4.5, "{fg} on {bg}: {ratio:.2}");
        }
        assert!((contrast_ratio("#000000", "#ffffff") - 21.0).abs() < 0.01);
        assert!((contrast_ratio("#767676", "#ffffff") - 4.54).abs() < 0.01);
    }
}
