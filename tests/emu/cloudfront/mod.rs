//! CloudFront's REST-XML API (version 2020-05-31) over any [`CloudFrontApi`]: what moto
//! lacks (UpdateFunction, PublishFunction, real-time log configs, cache / origin
//! request / response headers policies) and, for full-fidelity contract tests of the
//! distribution configuration (moto drops function associations), distributions too.
//! Also the CloudFront KeyValueStore data API (REST-JSON) over
//! [`CloudFrontKvsApi`](onair::aws::cloudfront::CloudFrontKvsApi).
//!
//! This module routes; the XML reader and writer, the answers and errors, and
//! each kind of resource have their own.

mod answer;
mod distributions;
mod functions;
mod policies;
mod realtime;
mod stores;
mod xml;

use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::Router;

pub use answer::XmlError;
use distributions::{
    create_distribution, delete_distribution, get_distribution, list_distributions, list_tags,
    update_distribution,
};
use functions::{
    create_function, delete_function, describe_function, get_function, publish_function,
    update_function,
};
use onair::aws::cloudfront::CloudFrontApi;
use policies::{list_cache_policies, list_origin_request_policies, list_response_headers_policies};
use realtime::{create_realtime, delete_realtime, get_realtime, update_realtime};
pub use stores::kvs_router;
use stores::{create_store, delete_store, describe_store};

pub(super) type Api = Arc<dyn CloudFrontApi>;

pub fn router(api: Api) -> Router {
    Router::new()
        .route(
            "/2020-05-31/distribution",
            post(create_distribution).get(list_distributions),
        )
        .route(
            "/2020-05-31/distribution/{id}",
            get(get_distribution).delete(delete_distribution),
        )
        .route(
            "/2020-05-31/distribution/{id}/config",
            put(update_distribution),
        )
        .route("/2020-05-31/tagging", get(list_tags))
        .route("/2020-05-31/function", post(create_function))
        .route(
            "/2020-05-31/function/{name}",
            get(get_function)
                .put(update_function)
                .delete(delete_function),
        )
        .route(
            "/2020-05-31/function/{name}/describe",
            get(describe_function),
        )
        .route(
            "/2020-05-31/function/{name}/publish",
            post(publish_function),
        )
        .route("/2020-05-31/key-value-store", post(create_store))
        .route(
            "/2020-05-31/key-value-store/{name}",
            get(describe_store).delete(delete_store),
        )
        .route(
            "/2020-05-31/realtime-log-config",
            post(create_realtime).put(update_realtime),
        )
        .route("/2020-05-31/get-realtime-log-config", post(get_realtime))
        .route(
            "/2020-05-31/delete-realtime-log-config",
            post(delete_realtime),
        )
        .route("/2020-05-31/cache-policy", get(list_cache_policies))
        .route(
            "/2020-05-31/origin-request-policy",
            get(list_origin_request_policies),
        )
        .route(
            "/2020-05-31/response-headers-policy",
            get(list_response_headers_policies),
        )
        .with_state(api)
}
