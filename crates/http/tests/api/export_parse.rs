//! Reading exports back with real parsers: the `csv` crate's reader and quick-xml's reader.
//! Each returns the documents' rows as column → text maps, so tests compare exported text with
//! the text that went in.

use std::collections::BTreeMap;

use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

pub type Row = BTreeMap<String, String>;

pub const HEADER: &str = "id,project_id,title,description,status,priority,category,assignee,labels,due_date,parent_id,is_public,created_at,updated_at";

/// Every record of a CSV export, keyed by the header's names (which are checked).
pub fn csv_rows(bytes: &[u8]) -> Vec<Row> {
    let text = std::str::from_utf8(bytes).expect("the CSV export is UTF-8");
    assert!(
        text.starts_with(&format!("{HEADER}\r\n")),
        "header: {:?}",
        &text[..120.min(text.len())]
    );
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header: Vec<String> =
        reader.headers().expect("a header").iter().map(str::to_owned).collect();
    assert_eq!(header.join(","), HEADER);
    reader
        .records()
        .map(|r| {
            let record = r.expect("a well-formed CSV record");
            header.iter().cloned().zip(record.iter().map(str::to_owned)).collect()
        })
        .collect()
}

/// Every `<task>` of an XML export: its children as column → text, `labels` as the `label`
/// children joined by `;`, and the `id` attribute under `@id`. Panics unless the document is
/// well-formed (quick-xml checks names and nesting) with `<tasks>` as its root.
pub fn xml_rows(bytes: &[u8]) -> Vec<Row> {
    let text = std::str::from_utf8(bytes).expect("the XML export is UTF-8");
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut rows = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut row = Row::new();
    let mut current = String::new();
    let mut labels: Vec<String> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                if name == "task" {
                    row = Row::new();
                    labels.clear();
                    for attr in e.attributes() {
                        let attr = attr.expect("a well-formed attribute");
                        let value = attr
                            .normalized_value(XmlVersion::Implicit1_0)
                            .expect("an attribute value");
                        row.insert(String::from("@id"), value.into_owned());
                    }
                }
                path.push(name);
                current.clear();
            }
            Event::Text(t) => current.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref().expect("a valid reference") {
                Some(c) => current.push(c),
                None => current.push_str(resolve_predefined_entity(&r).expect("predefined")),
            },
            Event::CData(_) => panic!("the exporter writes no CDATA"),
            Event::End(_) => {
                let name = path.pop().expect("balanced");
                match (name.as_str(), path.last().map(String::as_str)) {
                    ("label", Some("labels")) => labels.push(std::mem::take(&mut current)),
                    ("labels", Some("task")) => {
                        row.insert(name, labels.join(";"));
                    }
                    ("task", Some("tasks")) => rows.push(std::mem::take(&mut row)),
                    (_, Some("task")) => {
                        row.insert(name, std::mem::take(&mut current));
                    }
                    ("tasks", None) => {}
                    other => panic!("unexpected element {other:?}"),
                }
                current.clear();
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Empty(e) => panic!("unexpected empty element {e:?}"),
        }
    }
    assert!(path.is_empty(), "unclosed elements: {path:?}");
    rows
}
