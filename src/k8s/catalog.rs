//! One watch per kind (and namespace scope) for the whole process, shared by
//! every controller that reads or watches the kind.
//!
//! A LiveChannel reconcile needs its channel's AdInsertions and TokenPolicy,
//! a TokenPolicy reconcile the other policies of its namespace. Listing them
//! from the API server in every reconcile costs O(objects) per reconcile: at
//! a thousand channels that is a million objects decoded per round, which
//! held the API server's core and made most of the operator's peak memory.
//! Instead, each kind has one watch here that fills one store (objects without
//! managedFields), and hands every change to its subscribers: a controller's
//! own trigger stream or a related-kind watch.
//!
//! Freshness: an object reaches a subscriber only after the store holds it,
//! so a reconcile triggered by a change reads a store at least that new. A
//! subscriber that joins late first receives every object the store holds,
//! as a fresh watch's initial list would give it. Each change comes marked
//! known (there when the subscriber began) or later (`Catalog::marked_changes`):
//! a watch of a related kind passes on only the later ones that moved what
//! it looks at, since a controller's own first list reconciles every object
//! it controls and each such round reads its related objects as they are.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{Stream, StreamExt};
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::{watcher, WatchStreamExt};
use kube::ResourceExt;
use tokio::sync::mpsc;

use super::Watched;

/// How long a reconcile waits for a kind's first list before it gives up
/// (and is retried): the API server is unreachable or refuses the watch.
const FIRST_LIST: Duration = Duration::from_secs(30);

/// A kind and the namespace its watch covers (None: every namespace).
type Scope = (TypeId, Option<String>);

/// The shared watches of one operator process.
pub struct Catalog {
    client: kube::Client,
    /// Each is a `Shared<K>` for the kind of its key.
    kinds: Mutex<HashMap<Scope, Arc<dyn Any + Send + Sync>>>,
}

/// The store of one kind in one scope, and who hears of its changes.
struct Shared<K: Watched>
where
    K::DynamicType: Eq + Hash + Clone,
{
    store: Store<K>,
    /// True once the store holds its first list. Reconciles wait on this,
    /// not on `Store::wait_until_ready`: kube-runtime's readiness keeps the
    /// waker of only the last task that polled it (one oneshot receiver),
    /// so of the reconciles that waited at once, all but one slept until
    /// their timeout. At a restart that held every TokenPolicy for 30 s.
    listed: tokio::sync::watch::Receiver<bool>,
    subscribers: Arc<Mutex<Vec<Subscriber<K>>>>,
    watch: tokio::task::JoinHandle<()>,
}

/// One subscriber of a kind's changes.
struct Subscriber<K> {
    sender: mpsc::UnboundedSender<Change<K>>,
    /// It joined before the first list: the first list's objects are what
    /// it knows already ([`Change::Known`]).
    awaits_first_list: bool,
}

/// One change a subscriber hears of.
pub enum Change<K> {
    /// An object there when the subscriber began: the store held it when
    /// it joined, or the first list brought it.
    Known(Arc<K>),
    /// An object applied or deleted after that (a relist's included).
    Later(Arc<K>),
}

impl<K> Change<K> {
    pub fn object(self) -> Arc<K> {
        match self {
            Change::Known(object) | Change::Later(object) => object,
        }
    }

    pub fn later(self) -> Option<Arc<K>> {
        match self {
            Change::Known(_) => None,
            Change::Later(object) => Some(object),
        }
    }
}

impl<K: Watched> Drop for Shared<K>
where
    K::DynamicType: Eq + Hash + Clone,
{
    fn drop(&mut self) {
        self.watch.abort();
    }
}

/// Why a reconcile could not read a kind.
#[derive(Debug, thiserror::Error)]
#[error("the operator's watch of {kind} has not listed them yet (is the API server reachable, and may the operator list {kind}?)")]
pub struct NotListed {
    pub kind: String,
}

impl Catalog {
    pub fn new(client: kube::Client) -> Self {
        Self {
            client,
            kinds: Mutex::default(),
        }
    }

    /// The store of `K` in `namespace` (None: every namespace), its watch
    /// started on first use.
    pub fn store<K>(&self, namespace: Option<&str>) -> Store<K>
    where
        K: Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Eq + Hash + Clone + Default,
    {
        self.shared::<K>(namespace).store.clone()
    }

    /// Every change of `K` in `namespace`: first the objects the store holds,
    /// then each object the watch applies or deletes, once the store has it.
    pub fn changes<K>(&self, namespace: Option<&str>) -> impl Stream<Item = Arc<K>> + Send + 'static
    where
        K: Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Eq + Hash + Clone + Default,
    {
        self.marked_changes(namespace).map(Change::object)
    }

    /// Every change of `K` in `namespace`, each marked known (the objects
    /// the store holds when joining, or its first list brings) or later:
    /// for a filter that must know the state things started from
    /// (`controller::only_when_changed`).
    pub fn marked_changes<K>(
        &self,
        namespace: Option<&str>,
    ) -> impl Stream<Item = Change<K>> + Send + 'static
    where
        K: Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Eq + Hash + Clone + Default,
    {
        let shared = self.shared::<K>(namespace);
        let (sender, receiver) = mpsc::unbounded_channel();
        // Under the lock the watch applies events and sets `listed` under:
        // each object is either in this copy of the store or sent after.
        let mut subscribers = lock(&shared.subscribers);
        let listed = *shared.listed.borrow();
        if listed {
            for object in shared.store.state() {
                let _ = sender.send(Change::Known(object));
            }
        }
        subscribers.push(Subscriber {
            sender,
            awaits_first_list: !listed,
        });
        tokio_stream_of(receiver)
    }

    /// The objects of `K` in `namespace`, from the watch that covers it (the
    /// operator's cluster-wide one, else one of that namespace), once it
    /// has listed.
    pub async fn objects_in<K>(&self, namespace: &str) -> Result<Vec<Arc<K>>, NotListed>
    where
        K: Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Eq + Hash + Clone + Default,
    {
        let cluster_wide = lock(&self.kinds).contains_key(&(TypeId::of::<K>(), None));
        let shared = self.shared::<K>((!cluster_wide).then_some(namespace));
        let mut listed = shared.listed.clone();
        tokio::time::timeout(FIRST_LIST, async {
            listed.wait_for(|listed| *listed).await.map(|_| ())
        })
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| NotListed {
            kind: K::plural(&Default::default()).into_owned(),
        })?;
        Ok(shared
            .store
            .state()
            .into_iter()
            .filter(|o| o.namespace().as_deref() == Some(namespace))
            .collect())
    }

    fn shared<K>(&self, namespace: Option<&str>) -> Arc<Shared<K>>
    where
        K: Watched + kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
        K::DynamicType: Eq + Hash + Clone + Default,
    {
        let key = (TypeId::of::<K>(), namespace.map(str::to_owned));
        let mut kinds = lock(&self.kinds);
        let entry = kinds
            .entry(key)
            .or_insert_with(|| Arc::new(start::<K>(super::scoped(&self.client, namespace))));
        entry
            .clone()
            .downcast::<Shared<K>>()
            .expect("the catalog keys entries by their type")
    }
}

/// Starts the watch of `api`: it applies each event to the store, then passes
/// the objects on to the subscribers, under one lock so that a subscriber
/// joining sees each object either in its first copy of the store or after.
fn start<K>(api: kube::Api<K>) -> Shared<K>
where
    K: Watched,
    K::DynamicType: Eq + Hash + Clone + Default,
{
    let (store, mut writer) = kube::runtime::reflector::store::<K>();
    let (listed_tx, listed) = tokio::sync::watch::channel(false);
    let subscribers: Arc<Mutex<Vec<Subscriber<K>>>> = Arc::default();
    let hearers = subscribers.clone();
    let reader = store.clone();
    let watch = tokio::spawn(async move {
        let mut events = watcher(api, watcher::Config::default())
            .default_backoff()
            .boxed();
        // The objects of a (re)list, passed on when the new list replaces
        // the store, not before: until then the store holds the old list.
        let mut listing: Vec<ObjectRef<K>> = Vec::new();
        while let Some(event) = events.next().await {
            let event = match event {
                Ok(event) => event.modify(|o| o.managed_fields_mut().clear()),
                Err(e) => {
                    tracing::debug!(error = %e, "shared watch");
                    continue;
                }
            };
            let mut subscribers = lock(&hearers);
            // The first list's end, before `listed` says so below.
            let first_list = matches!(event, watcher::Event::InitDone) && !*listed_tx.borrow();
            writer.apply_watcher_event(&event);
            let changed: Vec<Arc<K>> = match event {
                watcher::Event::Init => {
                    listing.clear();
                    Vec::new()
                }
                watcher::Event::InitApply(o) => {
                    listing.push(ObjectRef::from_obj(&o));
                    Vec::new()
                }
                watcher::Event::InitDone => {
                    listed_tx.send_replace(true);
                    listing.drain(..).filter_map(|r| reader.get(&r)).collect()
                }
                watcher::Event::Apply(o) => vec![reader
                    .get(&ObjectRef::from_obj(&o))
                    .unwrap_or_else(|| Arc::new(o))],
                watcher::Event::Delete(o) => vec![Arc::new(o)],
            };
            subscribers.retain_mut(|s| {
                let known = first_list && std::mem::take(&mut s.awaits_first_list);
                changed.iter().all(|o| {
                    let change = if known {
                        Change::Known(o.clone())
                    } else {
                        Change::Later(o.clone())
                    };
                    s.sender.send(change).is_ok()
                })
            });
        }
    });
    Shared {
        store,
        listed,
        subscribers,
        watch,
    }
}

fn tokio_stream_of<T: Send + 'static>(
    mut receiver: mpsc::UnboundedReceiver<T>,
) -> impl Stream<Item = T> + Send + 'static {
    futures::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
