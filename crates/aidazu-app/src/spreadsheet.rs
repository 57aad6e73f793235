//! Plain tables as Excel workbooks (`rust_xlsxwriter`): a bold title line, a bordered header and
//! rows, Chinese column widths set by hand (Excel does not size CJK text itself).

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use crate::AppError;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        // Points and fen of a village fit f64 exactly (far below 2^53).
        #[expect(clippy::cast_precision_loss, reason = "amounts are far below 2^53")]
        Self::Number(n as f64)
    }
}

impl Cell {
    fn width(&self) -> usize {
        match self {
            Self::Text(t) => text_width(t),
            Self::Number(n) => n.to_string().len(),
        }
    }
}

/// Display width of text in Excel column units: CJK and full-width characters count two.
#[must_use]
pub fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum()
}

/// One sheet of a workbook: `title` on the first line, `headers` on the third, then `rows`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet<'a> {
    /// The tab's name (Excel allows 31 characters; longer names are cut).
    pub name: &'a str,
    pub title: &'a str,
    pub headers: &'a [&'a str],
    pub rows: &'a [Vec<Cell>],
}

/// A one-sheet workbook: `title` on the first line, `headers` on the third, then `rows`.
///
/// # Errors
/// [`AppError::Document`] when the workbook cannot be written.
pub fn table_xlsx(
    sheet_name: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, AppError> {
    workbook_xlsx(&[Sheet {
        name: sheet_name,
        title,
        headers,
        rows,
    }])
}

/// A workbook of several sheets, each laid out as [`table_xlsx`] lays out its one.
///
/// # Errors
/// [`AppError::Document`] when the workbook cannot be written.
pub fn workbook_xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, AppError> {
    let fail = |e: rust_xlsxwriter::XlsxError| AppError::Document(format!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin);
    let bordered = Format::new().set_border(FormatBorder::Thin);
    for s in sheets {
        let sheet = workbook.add_worksheet();
        let name: String = s.name.chars().take(31).collect();
        sheet.set_name(name).map_err(fail)?;
        sheet
            .write_string_with_format(0, 0, s.title, &bold)
            .map_err(fail)?;
        let mut widths: Vec<usize> = s.headers.iter().map(|h| text_width(h)).collect();
        for (col, h) in (0u16..).zip(s.headers) {
            sheet
                .write_string_with_format(2, col, *h, &header)
                .map_err(fail)?;
        }
        for (row, cells) in (3u32..).zip(s.rows) {
            for (col, cell) in (0u16..).zip(cells) {
                if let Some(w) = widths.get_mut(usize::from(col)) {
                    *w = (*w).max(cell.width());
                }
                match cell {
                    Cell::Text(t) => sheet.write_string_with_format(row, col, t, &bordered),
                    Cell::Number(n) => sheet.write_number_with_format(row, col, *n, &bordered),
                }
                .map_err(fail)?;
            }
        }
        for (col, w) in (0u16..).zip(&widths) {
            #[expect(clippy::cast_precision_loss, reason = "column widths are small")]
            sheet.set_column_width(col, (*w + 2) as f64).map_err(fail)?;
        }
    }
    workbook.save_to_buffer().map_err(fail)
}

/// Reads the first worksheet of an xlsx workbook as rows of cell texts (`rows[r][c]`, 0-based,
/// gaps filled with empty strings). Shared strings, inline strings, numbers (whole numbers
/// without `.0`) and booleans are read; formulas give their cached value; styles are ignored.
///
/// # Errors
/// A short English reason when the bytes are not an xlsx workbook.
pub fn read_first_sheet(bytes: &[u8]) -> Result<Vec<Vec<String>>, String> {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a zip: {e}"))?;
    let mut read = |name: &str| -> Result<Option<String>, String> {
        let Ok(mut file) = archive.by_name(name) else {
            return Ok(None);
        };
        // A decompressed part is bounded (a zip bomb is refused, not read).
        let mut text = String::new();
        file.by_ref()
            .take(MAX_PART_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| format!("{name}: {e}"))?;
        if text.len() as u64 > MAX_PART_BYTES {
            return Err(format!("{name} is larger than {MAX_PART_BYTES} bytes"));
        }
        Ok(Some(text))
    };
    let shared = read("xl/sharedStrings.xml")?
        .map(|x| shared_strings(&x))
        .unwrap_or_default();
    let sheet = read("xl/worksheets/sheet1.xml")?.ok_or("no first worksheet")?;
    Ok(sheet_cells(&sheet, &shared))
}

/// Largest decompressed workbook part read.
const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// Cells beyond these are ignored (a forged reference must not allocate the world).
const MAX_ROW: usize = 100_000;
const MAX_COL: usize = 256;

/// The tags of `xml` in order: `(name, attributes, text after the tag up to the next tag)`.
fn tags(xml: &str) -> Vec<(&str, &str, &str)> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let inside = &after[..end];
        let tail = &after[end + 1..];
        let text_end = tail.find('<').unwrap_or(tail.len());
        let (name, attrs) = inside
            .split_once(|c: char| c.is_whitespace())
            .unwrap_or((inside, ""));
        out.push((name, attrs, &tail[..text_end]));
        rest = tail;
    }
    out
}

fn attribute<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let pattern = format!("{key}=\"");
    let mut from = 0;
    while let Some(at) = attrs[from..].find(&pattern) {
        let begin = from + at;
        // A whole attribute name: at the start or after whitespace.
        if begin == 0 || attrs[..begin].ends_with(char::is_whitespace) {
            let value = &attrs[begin + pattern.len()..];
            return value.find('"').map(|end| &value[..end]);
        }
        from = begin + pattern.len();
    }
    None
}

fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(end) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=end]),
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

fn shared_strings(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut phonetic = false;
    for (name, _, text) in tags(xml) {
        match name {
            "si" => current = Some(String::new()),
            "/si" => out.push(current.take().unwrap_or_default()),
            "rPh" => phonetic = true,
            "/rPh" => phonetic = false,
            "t" if !phonetic => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&unescape(text));
                }
            }
            _ => {}
        }
    }
    out
}

/// `B12` → (11, 1).
fn cell_position(reference: &str) -> Option<(usize, usize)> {
    let letters: String = reference
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let digits = &reference[letters.len()..];
    let row: usize = digits.parse().ok()?;
    let col = letters.bytes().try_fold(0usize, |acc, b| {
        acc.checked_mul(26)?
            .checked_add(usize::from(b.to_ascii_uppercase().checked_sub(b'A')?) + 1)
    })?;
    Some((row.checked_sub(1)?, col.checked_sub(1)?))
}

fn sheet_cells(xml: &str, shared: &[String]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell: Option<((usize, usize), String)> = None;
    let mut value = String::new();
    let mut in_value = false;
    for (name, attrs, text) in tags(xml) {
        match name {
            "c" | "c/" => {
                let position = attribute(attrs, "r").and_then(cell_position);
                let kind = attribute(attrs, "t").unwrap_or("n").to_owned();
                value.clear();
                cell = if name == "c" && !attrs.ends_with('/') {
                    position.map(|p| (p, kind))
                } else {
                    None
                };
            }
            "v" | "t" => {
                in_value = true;
                value.push_str(&unescape(text));
            }
            "/v" | "/t" => in_value = false,
            "/c" => {
                if let Some(((row, col), kind)) = cell
                    .take()
                    .filter(|((r, c), _)| *r < MAX_ROW && *c < MAX_COL)
                {
                    let text = match kind.as_str() {
                        "s" => value
                            .trim()
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| shared.get(i).cloned())
                            .unwrap_or_default(),
                        "b" => if value.trim() == "1" { "TRUE" } else { "FALSE" }.to_owned(),
                        "n" => match value.trim().parse::<f64>() {
                            #[expect(
                                clippy::cast_possible_truncation,
                                reason = "whole numbers only"
                            )]
                            Ok(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", n as i64),
                            _ => value.trim().to_owned(),
                        },
                        _ => value.clone(),
                    };
                    if rows.len() <= row {
                        rows.resize(row + 1, Vec::new());
                    }
                    let line = &mut rows[row];
                    if line.len() <= col {
                        line.resize(col + 1, String::new());
                    }
                    line[col] = text;
                }
                value.clear();
            }
            _ => {
                if in_value {
                    value.push_str(&unescape(text));
                }
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_written_table_reads_back_cell_by_cell() {
        let bytes = table_xlsx(
            "导入",
            "模板 & 说明",
            &["户编号", "出生年份", "手机号"],
            &[
                vec![
                    "HP-01-001".into(),
                    Cell::from(1968),
                    Cell::from(13_800_000_001),
                ],
                vec!["<甲>".into(), "".into(), "x".into()],
            ],
        )
        .unwrap();
        let rows = read_first_sheet(&bytes).unwrap();
        assert_eq!(rows[0][0], "模板 & 说明");
        assert_eq!(rows[2], vec!["户编号", "出生年份", "手机号"]);
        assert_eq!(rows[3], vec!["HP-01-001", "1968", "13800000001"]);
        assert_eq!(rows[4][0], "<甲>");
        assert!(read_first_sheet(b"not a zip").is_err());
        assert_eq!(cell_position("AB12"), Some((11, 27)));
    }

    #[test]
    fn cjk_counts_double_and_a_workbook_is_a_zip() {
        assert_eq!(text_width("ab"), 2);
        assert_eq!(text_width("洗衣粉"), 6);
        let bytes = table_xlsx(
            "订单",
            "和平村积分超市订单",
            &["商品", "积分"],
            &[vec!["洗衣粉".into(), 16.into()]],
        )
        .unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
