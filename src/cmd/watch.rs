//! `podlearn watch [<id>]`: re-check the exercise on every save of the
//! manifest (file events, or polling where events do not work), with
//! single-key commands: h hint, n next exercise, c check now, q quit.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyModifiers};
use notify::{RecursiveMode, Watcher};

use crate::cli::{CheckFormat, RuntimeArgs, WatchArgs};
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::Catalog;
use crate::exit::{Outcome, learner_error};
use crate::workspace::Workspace;

/// Leaves raw mode however the loop ends.
struct RawMode(bool);

impl RawMode {
    fn on(interactive: bool) -> Self {
        RawMode(interactive && crossterm::terminal::enable_raw_mode().is_ok())
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if self.0 {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
}

enum Next {
    Check,
    Hint,
    Advance,
    Quit,
}

pub fn run(ctx: &Ctx, args: WatchArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let ws = Workspace::resolve(args.workspace.as_deref());
    let store = crate::progress::Store::open()?;
    let Some(mut id) = args.id.clone().or(store.load()?.current_exercise) else {
        return Err(learner_error(
            "Which exercise? Run `podlearn watch <id>`, or start one with `podlearn exercise <id>`.",
        ));
    };
    catalog.get(&id)?;
    let interactive = crate::term::is_interactive();
    let runtime = RuntimeArgs {
        time_scale: 1.0,
        image_map: Vec::new(),
        allow_host_access: false,
    };
    let style = ctx.color.out();
    let mut passed = false;
    loop {
        let ex = catalog.get(&id)?;
        let path = ws.manifest_path(&ex.id);
        ws.write_starter(ex)?;
        store.update(|p| p.current_exercise = Some(ex.id.clone()))?;
        // A save while the check runs must trigger the next one.
        let checked_version = modified(&path);
        match super::check::check_file(ctx, ex, &path, CheckFormat::Text, &runtime) {
            Ok(o) => passed = o == Outcome::Success,
            // Ctrl-C while a check runs ends watching, as it would anywhere.
            Err(e) if e.downcast_ref::<crate::grade::Interrupted>().is_some() => return Err(e),
            Err(e) => crate::term::print_error(&e, ctx.color),
        }
        println!(
            "\n{} watching {} — {}",
            style.dim("●"),
            path.display(),
            style.command("[h]int  [n]ext  [c]heck  [q]uit")
        );
        match wait(&path, checked_version, interactive)? {
            Next::Check => {}
            Next::Quit => return Ok(Outcome::from_bool(passed)),
            Next::Hint => {
                super::hint::run(ctx, crate::cli::HintArgs { id: ex.id.clone() })?;
                if let Next::Quit = wait(&path, checked_version, interactive)? {
                    return Ok(Outcome::from_bool(passed));
                }
            }
            Next::Advance => {
                let pos = catalog
                    .exercises
                    .iter()
                    .position(|e| e.id == ex.id)
                    .unwrap_or(0);
                match catalog.exercises.get(pos + 1) {
                    Some(next) => {
                        id = next.id.clone();
                        println!(
                            "{}",
                            style.strong(&format!("Exercise {}: {}\n", next.id, next.title))
                        );
                        let mut out = std::io::stdout().lock();
                        crate::markdown::render(
                            next.task.trim_end(),
                            style,
                            crate::term::width(),
                            &mut out,
                        )?;
                    }
                    None => println!("{}", style.ok("That was the last exercise.")),
                }
            }
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Wait for a save of `path` (since it was `checked`) or a key.
fn wait(path: &Path, checked: Option<SystemTime>, interactive: bool) -> anyhow::Result<Next> {
    if modified(path) != checked {
        return Ok(Next::Check);
    }
    let (tx, rx) = mpsc::channel();
    let target: PathBuf = path.to_path_buf();
    let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && ev.paths.iter().any(|p| p.file_name() == target.file_name())
            && (ev.kind.is_modify() || ev.kind.is_create())
        {
            let _ = tx.send(());
        }
    })
    .and_then(|mut w| {
        let dir = path.parent().unwrap_or(Path::new("."));
        w.watch(dir, RecursiveMode::NonRecursive).map(|()| w)
    });
    // Where file events do not work (some network and container filesystems),
    // compare the modification time instead.
    let _raw = RawMode::on(interactive);
    loop {
        match &watcher {
            Ok(_) => {
                if rx.try_recv().is_ok() {
                    // Editors save in several steps: let them finish.
                    std::thread::sleep(Duration::from_millis(200));
                    while rx.try_recv().is_ok() {}
                    return Ok(Next::Check);
                }
            }
            Err(_) => {
                if modified(path) != checked {
                    return Ok(Next::Check);
                }
            }
        }
        if interactive {
            if event::poll(Duration::from_millis(150))?
                && let Event::Key(KeyEvent {
                    code, modifiers, ..
                }) = event::read()?
            {
                match code {
                    KeyCode::Char('q') | KeyCode::Esc => return Ok(Next::Quit),
                    KeyCode::Char('c') if modifiers.contains(KeyModifiers::CONTROL) => {
                        return Ok(Next::Quit);
                    }
                    KeyCode::Char('h') => return Ok(Next::Hint),
                    KeyCode::Char('n') => return Ok(Next::Advance),
                    KeyCode::Char('c') | KeyCode::Enter => return Ok(Next::Check),
                    _ => {}
                }
            }
        } else {
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}
