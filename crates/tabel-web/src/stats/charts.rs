//! Bar charts drawn as SVG by a template: scales, bars, swatches and notes.

use tabel_domain::finals::hundredths_text;

/// How bar values read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    /// Hundredths of a percent, on 0–100 %.
    Percent,
    /// Counts, on 0–the largest.
    Count,
}

/// A horizontal bar chart as data for `templates/stats/_chart.svg`: sizes and positions in SVG
/// units worked out here, the texts as they are (the template escapes them).
pub struct Bars {
    /// Of the view box.
    pub width: u64,
    /// Of the view box.
    pub height: u64,
    /// Heading, also the chart's accessible name.
    pub title: String,
    /// Where the row labels end (they are right-aligned).
    pub label_x: u64,
    /// A swatch and a name per series.
    pub legend: Vec<Swatch>,
    /// A row per label.
    pub rows: Vec<BarRow>,
    /// The dash shown when there are no rows.
    pub empty: Option<Note>,
}

/// A series in the legend.
pub struct Swatch {
    /// Of the swatch.
    pub x: u64,
    /// Of the name.
    pub text_x: u64,
    /// Fill colour.
    pub color: &'static str,
    /// The series' name.
    pub name: String,
}

/// A labelled row of bars.
pub struct BarRow {
    /// Baseline of the label.
    pub label_y: u64,
    /// The whole label (shown on hover).
    pub label: String,
    /// The label as shown, cut short when long.
    pub shown: String,
    /// A bar per series.
    pub bars: Vec<Bar>,
    /// The total written after stacked bars.
    pub total: Option<Note>,
}

/// One bar.
pub struct Bar {
    /// Left edge.
    pub x: u64,
    /// Top edge.
    pub y: u64,
    /// Width.
    pub width: u64,
    /// Height.
    pub height: u64,
    /// Fill colour.
    pub color: &'static str,
    /// `series: value`, shown on hover.
    pub tip: String,
    /// The value written beside a bar of its own lane.
    pub value: Option<Note>,
}

/// A text placed at a point.
pub struct Note {
    /// Start.
    pub x: u64,
    /// Baseline.
    pub y: u64,
    /// What it says.
    pub text: String,
}

/// A horizontal bar chart: a row per label, a bar per series (side by side, or `stacked` in one
/// bar), a legend, values written beside the bars. Everything is text in the SVG: it reads
/// without JavaScript, prints, and scales with the page.
pub(super) fn bars(
    title: &str,
    series: &[(String, &'static str)],
    rows: &[(String, Vec<u64>)],
    scale: Scale,
    stacked: bool,
) -> Bars {
    const WIDTH: u64 = 760;
    const LABEL: u64 = 180;
    const AREA: u64 = 500;
    const BAR: u64 = 14;
    let lanes = if stacked {
        1
    } else {
        u64::try_from(series.len()).unwrap_or(1).max(1)
    };
    let row_h = lanes * BAR + 8;
    let top = 44;
    let height = top + u64::try_from(rows.len()).unwrap_or(0) * row_h + 8;
    let max = match scale {
        Scale::Percent => 10_000,
        Scale::Count => rows
            .iter()
            .map(|(_, v)| {
                if stacked {
                    v.iter().sum()
                } else {
                    v.iter().copied().max().unwrap_or(0)
                }
            })
            .max()
            .unwrap_or(0)
            .max(1),
    };
    let value = |v: u64| match scale {
        Scale::Percent => format!(
            "{} %",
            hundredths_text(u32::try_from(v).unwrap_or(u32::MAX))
        ),
        Scale::Count => v.to_string(),
    };
    let width_of = |v: u64| v.min(max) * AREA / max;
    let mut legend = Vec::with_capacity(series.len());
    let mut x = 0u64;
    for (name, color) in series {
        legend.push(Swatch {
            x,
            text_x: x + 14,
            color,
            name: name.clone(),
        });
        x += 24 + 7 * u64::try_from(name.chars().count()).unwrap_or(0);
    }
    let mut bar_rows = Vec::with_capacity(rows.len());
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = top + u64::try_from(i).unwrap_or(0) * row_h;
        let shown: String = if label.chars().count() > 26 {
            label.chars().take(25).chain(std::iter::once('…')).collect()
        } else {
            label.clone()
        };
        let mut row = BarRow {
            label_y: y + lanes * BAR / 2 + 4,
            label: label.clone(),
            shown,
            bars: Vec::with_capacity(values.len()),
            total: None,
        };
        if stacked {
            let mut at = LABEL;
            for (v, (name, color)) in values.iter().zip(series) {
                let w = width_of(*v);
                if w > 0 {
                    row.bars.push(Bar {
                        x: at,
                        y,
                        width: w,
                        height: BAR,
                        color,
                        tip: format!("{name}: {}", value(*v)),
                        value: None,
                    });
                }
                at += w;
            }
            row.total = Some(Note {
                x: at + 4,
                y: y + BAR - 3,
                text: value(values.iter().sum()),
            });
        } else {
            for (lane, (v, (name, color))) in values.iter().zip(series).enumerate() {
                let yy = y + u64::try_from(lane).unwrap_or(0) * BAR;
                let w = width_of(*v);
                row.bars.push(Bar {
                    x: LABEL,
                    y: yy,
                    width: w,
                    height: BAR - 2,
                    color,
                    tip: format!("{name}: {}", value(*v)),
                    value: Some(Note {
                        x: LABEL + w + 4,
                        y: yy + BAR - 4,
                        text: value(*v),
                    }),
                });
            }
        }
        bar_rows.push(row);
    }
    Bars {
        width: WIDTH,
        height,
        title: title.to_owned(),
        label_x: LABEL - 6,
        legend,
        empty: rows.is_empty().then(|| Note {
            x: LABEL,
            y: top + 12,
            text: "—".to_owned(),
        }),
        rows: bar_rows,
    }
}
