//! OpenAPI links from each create operation to the operations on what it created: the `201`
//! of `POST /api/v1/tasks` links to `GET`, `PATCH`, `DELETE /api/v1/tasks/{id}` and the move,
//! with `id` from the response body and, where the response has an `ETag`, `If-Match` from
//! it. Clients and stateful fuzzers (schemathesis) follow them to reach real resources.

use utoipa::Modify;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

/// One operation under a collection's `{id}`.
struct Target {
    operation_id: String,
    takes_if_match: bool,
}

/// Adds the links.
#[derive(Debug)]
pub struct Links;

impl Modify for Links {
    fn modify(&self, openapi: &mut OpenApi) {
        let collections: Vec<String> = openapi
            .paths
            .paths
            .iter()
            .filter(|(_, item)| item.post.as_ref().is_some_and(created))
            .map(|(path, _)| path.clone())
            .collect();
        for collection in collections {
            let targets = targets(openapi, &format!("{collection}/{{id}}"));
            let Some(post) = openapi.paths.paths.get_mut(&collection).and_then(|i| i.post.as_mut())
            else {
                continue;
            };
            let Some(RefOr::T(response)) = post.responses.responses.get_mut("201") else {
                continue;
            };
            let has_etag = response.headers.contains_key("ETag");
            for target in targets {
                let mut link = LinkBuilder::new()
                    .operation_id(target.operation_id.clone())
                    .parameter("path.id", "$response.body#/id")
                    .description("The resource just created");
                if has_etag && target.takes_if_match {
                    link = link.parameter("header.If-Match", "$response.header.ETag");
                }
                response.links.insert(target.operation_id, RefOr::T(link.build()));
            }
        }
    }
}

fn created(operation: &Operation) -> bool {
    operation.responses.responses.contains_key("201")
}

/// The operations on `item_path` and on the paths below it, with an operation id.
fn targets(openapi: &OpenApi, item_path: &str) -> Vec<Target> {
    let mut targets = Vec::new();
    for (path, item) in &openapi.paths.paths {
        if path != item_path && !path.starts_with(&format!("{item_path}/")) {
            continue;
        }
        let operations = [&item.get, &item.put, &item.patch, &item.delete, &item.post];
        for operation in operations.into_iter().flatten() {
            let Some(operation_id) = operation.operation_id.clone() else { continue };
            let takes_if_match = operation.parameters.iter().flatten().any(|p| {
                p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case("if-match")
            });
            targets.push(Target { operation_id, takes_if_match });
        }
    }
    targets
}

/// Renames the snake-case fields utoipa gives every link object in `document` to OpenAPI's
/// camel case (`operationId`, `operationRef`, `requestBody`).
pub(super) fn respell(document: &mut serde_json::Value) {
    let Some(paths) = document.get_mut("paths").and_then(|p| p.as_object_mut()) else { return };
    let operations = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut());
    let responses = operations
        .filter_map(|operation| operation.get_mut("responses").and_then(|r| r.as_object_mut()))
        .flat_map(|responses| responses.values_mut());
    let links = responses
        .filter_map(|response| response.get_mut("links").and_then(|l| l.as_object_mut()))
        .flat_map(|links| links.values_mut())
        .filter_map(|link| link.as_object_mut());
    for link in links {
        for (snake, camel) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(snake) {
                link.insert(camel.to_owned(), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::respell;

    #[test]
    fn link_fields_are_respelled_in_camel_case_and_nothing_else_changes() {
        let mut document = json!({"paths": {"/a": {"post": {"responses": {"201": {
            "description": "x",
            "links": {"get": {"operation_id": "a_get", "parameters": {"path.id": "$response.body#/id"}}}
        }}}}}});
        respell(&mut document);
        let link = &document["paths"]["/a"]["post"]["responses"]["201"]["links"]["get"];
        assert_eq!(
            link,
            &json!({"operationId": "a_get", "parameters": {"path.id": "$response.body#/id"}})
        );
        assert_eq!(document["paths"]["/a"]["post"]["responses"]["201"]["description"], "x");
    }
}
