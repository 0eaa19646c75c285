//! No template holds inline script or style: the page CSP (`script-src 'self'; style-src
//! 'self'`) would block it, and keeping it out is what makes that CSP possible.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[test]
fn no_template_has_inline_script_style_or_event_handlers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
        let name = path.display();
        seen += 1;
        // A script element may only load a file of ours — a `/static/` path, or the hashed
        // path the layout names (`crates/web/src/assets.rs`): `<script src=…></script>`.
        for (at, _) in text.match_indices("<script") {
            let tag_end = text[at..].find('>').map(|i| at + i).unwrap();
            let tag = &text[at..tag_end];
            let ours = tag.contains(" src=\"/static/")
                || tag.contains(" src=\"{{ layout.htmx }}\"")
                || tag.contains(" src=\"{{ layout.live_board }}\"");
            assert!(ours, "{name}: inline <script>");
            assert!(text[tag_end + 1..].starts_with("</script>"), "{name}: script body");
        }
        assert!(!text.contains("<style"), "{name}: <style> element");
        assert!(!text.contains(" style="), "{name}: style= attribute");
        assert!(!text.contains("javascript:"), "{name}: javascript: URL");
        for handler in
            [" onclick=", " onload=", " onerror=", " onsubmit=", " onchange=", " oninput="]
        {
            assert!(!text.contains(handler), "{name}: inline event handler {handler}");
        }
        // Nothing is marked safe: every value is escaped.
        assert!(!text.contains("|safe"), "{name}: unescaped output");
    }
    assert!(seen >= 4, "the templates were not found in {}", dir.display());
}
