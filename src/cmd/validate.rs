//! `podlearn validate`: read manifests like the API server, explain every
//! mistake, exit 0 (valid, warnings allowed), 1 (any error) or 2 (a file
//! cannot be read).

use std::io::{self, Read, Write};

use anyhow::Context;

use crate::cli::{ValidateArgs, ValidateFormat};
use crate::cmd::Ctx;
use crate::exit::Outcome;
use crate::manifest::{self, Loaded, MAX_FILE_BYTES};

pub fn run(ctx: &Ctx, args: ValidateArgs) -> anyhow::Result<Outcome> {
    let mut loaded = Loaded::default();
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = if name == "-" {
            read_limited(io::stdin().lock())
                .context("Failed to read the manifest from standard input")?
        } else {
            let file =
                std::fs::File::open(path).with_context(|| format!("Failed to read {name}"))?;
            read_limited(file).with_context(|| format!("Failed to read {name}"))?
        };
        loaded.merge(manifest::load_bytes(&name, &bytes));
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.format {
        ValidateFormat::Text => manifest::render_text(&loaded, ctx.color.out(), &mut out)?,
        ValidateFormat::Json => manifest::render_json(&loaded, &mut out)?,
    }
    out.flush()?;
    Ok(Outcome::from_bool(!loaded.has_errors()))
}

/// Read at most one byte more than podlearn accepts, so a huge file (or an
/// endless pipe) is refused without being read into memory whole.
fn read_limited(r: impl Read) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}
