//! Column alignment as Go's `text/tabwriter` does it for kubectl: cells end at
//! a tab, the last cell of a line is not aligned, and a column's width is
//! decided per block of consecutive lines that have a cell in that column.

/// Align tab-separated `text` with `padding` spaces after the widest cell of
/// each column block (`kubectl describe` uses 2, `kubectl get` 3).
pub fn align(text: &str, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text
        .split_inclusive('\n')
        .map(|l| l.strip_suffix('\n').unwrap_or(l).split('\t').collect())
        .collect();
    let ends_with_newline = text.ends_with('\n');
    let mut widths = Vec::new();
    let mut out = String::with_capacity(text.len() * 2);
    format(&lines, 0, lines.len(), &mut widths, padding, &mut out);
    if !ends_with_newline && out.ends_with('\n') {
        out.pop();
    }
    out
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Go's `Writer.format`: find blocks that have a cell in the next column,
/// size the column per block, recurse for the columns after it.
fn format(
    lines: &[Vec<&str>],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, line0, this, widths, out);
        line0 = this;
        let mut w = 0;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(lines[this][column]) + padding);
            this += 1;
        }
        widths.push(w);
        format(lines, line0, this, widths, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for line in &lines[from..to] {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < line.len() {
                // A tab-terminated cell: pad to its column's width.
                let w = widths.get(j).copied().unwrap_or(0);
                out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell))));
            }
        }
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::align;

    #[test]
    fn aligns_blocks_of_consecutive_lines() {
        let text = "Name:\tweb\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\n";
        assert_eq!(
            align(text, 2),
            "Name:       web\nNamespace:  default\nIPs:\n  IP:  10.0.0.1\n"
        );
    }

    #[test]
    fn continuation_lines_align_with_the_first_column() {
        let text = "Labels:\tapp=web\n\ttier=front\nStatus:\tRunning\n";
        assert_eq!(
            align(text, 2),
            "Labels:  app=web\n         tier=front\nStatus:  Running\n"
        );
    }

    #[test]
    fn nested_columns() {
        let text = "  Type\tReason\tMessage\n  Normal\tStarted\tok\n";
        assert_eq!(
            align(text, 3),
            "  Type     Reason    Message\n  Normal   Started   ok\n"
        );
    }
}
