//! The built-in picker: a query line, a count, and the matching lines under
//! it, drawn on stderr and redrawn after every key. It takes a few lines, not
//! the screen, and leaves nothing behind: on exit its lines are erased and
//! the cursor is where it started. Keys are read by `console` (stdin when it
//! is a terminal, else /dev/tty); see [`crate::platform::KeyMode`] for the terminal's mode
//! meanwhile.

use console::{Key, Term};
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;

/// At most this many candidate lines at once; fewer on a short terminal.
const MAX_ROWS: usize = 15;

/// The indices of `haystacks` that match `query`, best first. As in fzf,
/// every whitespace-separated word must match (as a fuzzy subsequence;
/// case-insensitive unless the word has a capital), and a line scores the sum
/// of its words' scores. Equal scores keep the given order, which is the
/// frecency order: the sort is stable.
pub fn rank(query: &str, haystacks: &[String]) -> Vec<usize> {
    let matcher = SkimMatcherV2::default();
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut scored: Vec<(usize, i64)> = haystacks
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            words
                .iter()
                .map(|w| matcher.fuzzy_match(h, w))
                .sum::<Option<i64>>()
                .map(|s| (i, s))
        })
        .collect();
    scored.sort_by_key(|&(_, s)| std::cmp::Reverse(s));
    scored.into_iter().map(|(i, _)| i).collect()
}

/// What the user has typed and where the highlight is.
#[derive(Debug, Default, PartialEq)]
struct State {
    query: String,
    /// Position of the highlight among the matches.
    selected: usize,
    /// First match shown (the list scrolls to keep the highlight in view).
    offset: usize,
}

enum Step {
    Continue,
    Choose,
    Cancel,
}

impl State {
    fn on_key(&mut self, key: Key, matches: usize, rows: usize) -> Step {
        match key {
            Key::Enter => return Step::Choose,
            // Ctrl-C arrives as a key, since keys are read in raw mode.
            Key::Escape | Key::CtrlC => return Step::Cancel,
            Key::Char('\u{4}') if self.query.is_empty() => return Step::Cancel, // Ctrl-D
            Key::ArrowUp | Key::BackTab | Key::Char('\u{10}') => self.move_by(-1, matches), // Ctrl-P
            Key::ArrowDown | Key::Tab | Key::Char('\u{e}') => self.move_by(1, matches), // Ctrl-N
            Key::PageUp => self.move_by(-(rows as isize), matches),
            Key::PageDown => self.move_by(rows as isize, matches),
            Key::Backspace => self.edit(|q| {
                q.pop();
            }),
            Key::Char('\u{15}') => self.edit(String::clear), // Ctrl-U
            Key::Char('\u{17}') => self.edit(|q| {
                // Ctrl-W: the last word and the blanks after it.
                let kept = q.trim_end().rfind(char::is_whitespace).map_or(0, |i| i + 1);
                q.truncate(kept);
            }),
            Key::Char(c) if !c.is_control() => self.edit(|q| q.push(c)),
            _ => {}
        }
        self.scroll(rows);
        Step::Continue
    }

    /// A new query: the best match is highlighted again.
    fn edit(&mut self, change: impl FnOnce(&mut String)) {
        change(&mut self.query);
        self.selected = 0;
        self.offset = 0;
    }

    fn move_by(&mut self, delta: isize, matches: usize) {
        let last = matches.saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    fn scroll(&mut self, rows: usize) {
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + rows {
            self.offset = self.selected + 1 - rows;
        }
    }
}

/// How many candidate lines fit: the query and count lines and one spare
/// line for the shell stay visible.
fn rows_for(term_rows: usize) -> usize {
    term_rows.saturating_sub(3).clamp(1, MAX_ROWS)
}

/// One frame as terminal output. The cursor starts on the first line of the
/// previous frame (or where the picker opens) and ends after the query.
fn frame(
    prompt: &str,
    state: &State,
    lines: &[String],
    matches: &[usize],
    rows: usize,
    cols: usize,
    color: bool,
) -> String {
    // Never write into the last column: the terminal would wrap and the
    // cursor arithmetic below would be off by a line.
    let width = cols.saturating_sub(1).max(1);
    let fit = |s: &str| console::truncate_str(s, width, "..").into_owned();
    let head = fit(&format!("{prompt}{}", state.query));
    let count = format!("  {}/{}", matches.len(), lines.len());

    let mut out = String::from("\r\x1b[J");
    out.push_str(&head);
    out.push_str("\r\n");
    let style = |s: String| console::style(s).force_styling(color);
    out.push_str(&style(fit(&count)).dim().to_string());
    let shown = &matches[state.offset.min(matches.len())..];
    let shown = &shown[..shown.len().min(rows)];
    for (i, &m) in shown.iter().enumerate() {
        out.push_str("\r\n");
        if state.offset + i == state.selected {
            let line = fit(&format!("> {}", lines[m]));
            out.push_str(&style(line).bold().to_string());
        } else {
            out.push_str(&fit(&format!("  {}", lines[m])));
        }
    }
    out.push_str(&format!("\x1b[{}A\r", 1 + shown.len()));
    let col = console::measure_text_width(&head);
    if col > 0 {
        out.push_str(&format!("\x1b[{col}C"));
    }
    out
}

/// Show `lines` (matched against `haystacks`, the same length) and return the
/// index of the one chosen with Enter, or None on Esc, Ctrl-C or Ctrl-D.
pub fn run(prompt: &str, lines: &[String], haystacks: &[String]) -> std::io::Result<Option<usize>> {
    let _mode = crate::platform::KeyMode::enter()?;
    let term = Term::stderr();
    let color = console::colors_enabled_stderr();
    let mut state = State::default();
    let result = loop {
        let matches = rank(&state.query, haystacks);
        let (term_rows, cols) = term.size();
        let rows = rows_for(term_rows.into());
        term.write_str(&frame(
            prompt,
            &state,
            lines,
            &matches,
            rows,
            cols.into(),
            color,
        ))?;
        let key = match term.read_key_raw() {
            Ok(key) => key,
            Err(e) => break Err(e),
        };
        match state.on_key(key, matches.len(), rows) {
            Step::Continue => {}
            // Enter with nothing matching does nothing.
            Step::Choose => {
                if let Some(&i) = matches.get(state.selected) {
                    break Ok(Some(i));
                }
            }
            Step::Cancel => break Ok(None),
        }
    };
    // Erase every line the picker drew; the cursor stays on the first.
    term.write_str("\r\x1b[J")?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_word_must_match_and_the_best_match_comes_first() {
        let hay = strings(&[
            "dev 111111111111 Admin",
            "prod-admin 333333333333 Admin",
            "prod 333333333333 ReadOnly",
            "legacy 222222222222 ReadOnly",
        ]);
        assert_eq!(rank("", &hay), [0, 1, 2, 3], "no query: the given order");
        assert_eq!(rank("   ", &hay), [0, 1, 2, 3]);
        assert_eq!(rank("legacy", &hay), [3]);
        // Fuzzy: letters in order, not necessarily together.
        assert_eq!(rank("lgcy", &hay), [3]);
        // Words in any order, each must match somewhere.
        assert_eq!(rank("readonly prod", &hay), [2]);
        assert_eq!(rank("admin 333", &hay), [1]);
        assert!(rank("nomatch", &hay).is_empty());
        // By account id.
        assert_eq!(rank("2222", &hay), [3]);
        // Smart case: a capital asks for case.
        assert_eq!(rank("Admin", &hay), [0, 1]);
        assert!(rank("ADMIN", &hay).is_empty());
    }

    #[test]
    fn equal_scores_keep_the_frecency_order() {
        // Same text up to the account id: same score for "admin".
        let hay = strings(&["b 2 Admin", "a 1 Admin", "c 3 Admin"]);
        assert_eq!(rank("admin", &hay), [0, 1, 2]);
        let many: Vec<String> = (0..100).map(|i| format!("acct{i:03} Admin")).collect();
        assert_eq!(rank("admin", &many), (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn keys_edit_the_query_and_move_the_highlight_within_view() {
        let mut s = State::default();
        for c in "pro d".chars() {
            s.on_key(Key::Char(c), 10, 3);
        }
        assert_eq!(s.query, "pro d");
        s.on_key(Key::Char('\u{17}'), 10, 3); // Ctrl-W
        assert_eq!(s.query, "pro ");
        s.on_key(Key::Backspace, 10, 3);
        assert_eq!(s.query, "pro");

        for _ in 0..4 {
            s.on_key(Key::ArrowDown, 10, 3);
        }
        assert_eq!(
            (s.selected, s.offset),
            (4, 2),
            "scrolled to keep it in view"
        );
        s.on_key(Key::PageDown, 10, 3);
        s.on_key(Key::PageDown, 10, 3);
        assert_eq!((s.selected, s.offset), (9, 7), "stops at the last match");
        s.on_key(Key::ArrowUp, 10, 3);
        s.on_key(Key::PageUp, 10, 3);
        s.on_key(Key::PageUp, 10, 3);
        s.on_key(Key::PageUp, 10, 3);
        assert_eq!((s.selected, s.offset), (0, 0), "stops at the first");
        s.on_key(Key::ArrowDown, 10, 3);
        // Typing highlights the best match again.
        s.on_key(Key::Char('x'), 10, 3);
        assert_eq!((s.query.as_str(), s.selected, s.offset), ("prox", 0, 0));
        s.on_key(Key::Char('\u{15}'), 10, 3); // Ctrl-U
        assert_eq!(s.query, "");
        // Nothing to highlight: stays at 0.
        s.on_key(Key::ArrowDown, 0, 3);
        assert_eq!(s.selected, 0);
    }

    #[test]
    fn enter_chooses_and_esc_ctrl_c_ctrl_d_cancel() {
        let mut s = State::default();
        assert!(matches!(s.on_key(Key::Enter, 1, 3), Step::Choose));
        assert!(matches!(s.on_key(Key::Escape, 1, 3), Step::Cancel));
        assert!(matches!(s.on_key(Key::CtrlC, 1, 3), Step::Cancel));
        assert!(matches!(s.on_key(Key::Char('\u{4}'), 1, 3), Step::Cancel));
        s.on_key(Key::Char('a'), 1, 3);
        // Ctrl-D only cancels on an empty query (as in fzf and shells).
        assert!(matches!(s.on_key(Key::Char('\u{4}'), 1, 3), Step::Continue));
        // Control characters are not typed into the query.
        assert_eq!(s.query, "a");
    }

    #[test]
    fn a_frame_fits_the_terminal_and_returns_to_the_query() {
        let lines = strings(&["first line", "second line that is long", "third"]);
        let state = State {
            query: "li".into(),
            selected: 1,
            offset: 0,
        };
        let out = frame("use> ", &state, &lines, &[0, 1], 5, 16, false);
        // Up past the two candidates and the count, then to after "use> li".
        let drawn = out.strip_suffix("\x1b[3A\r\x1b[7C").expect(&out);
        let rows: Vec<&str> = drawn.split("\r\n").collect();
        assert_eq!(
            rows,
            [
                "\r\x1b[Juse> li",
                "  2/3",
                "  first line",
                "> second line.."
            ],
            "highlighted, and cut at 15 columns"
        );

        // Scrolled: only `rows` candidates from the offset.
        let state = State {
            query: String::new(),
            selected: 2,
            offset: 1,
        };
        let out = frame("use> ", &state, &lines, &[0, 1, 2], 2, 80, false);
        assert!(!out.contains("first line"));
        assert!(out.contains("> third"));
        assert!(out.ends_with("\x1b[3A\r\x1b[5C"), "{out:?}");
    }

    #[test]
    fn short_terminals_still_show_one_line() {
        assert_eq!(rows_for(0), 1);
        assert_eq!(rows_for(5), 2);
        assert_eq!(rows_for(100), MAX_ROWS);
    }
}
