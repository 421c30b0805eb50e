//! Any bytes through the whole validation path: reading (size, encoding,
//! YAML), validating, cross checks, and both renderers. Nothing may panic,
//! overflow the stack or run away with memory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use podlearn::manifest;
use podlearn::term::Style;

fuzz_target!(|data: &[u8]| {
    let mut loaded = manifest::load_bytes("fuzz.yaml", data);
    // a second file, to exercise merging and references across files
    if let Some(split) = data.iter().position(|&b| b == 0xFF) {
        loaded.merge(manifest::load_bytes("other.yaml", &data[split + 1..]));
    }
    let mut sink = Vec::new();
    manifest::render_text(&loaded, Style::PLAIN, &mut sink).unwrap();
    sink.clear();
    manifest::render_json(&loaded, &mut sink).unwrap();
    // every finding points into the file it names (or at the whole file)
    for f in &loaded.findings {
        assert!(f.line == 0 || f.column >= 1, "{f:?}");
    }
});
