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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
