//! One mechanism to put behaviour around every call of every service trait.
//!
//! The production [`Guard`](super::guard::Guard) (rate limit, retry) and the
//! simulation's fault injection both need to run code before and after each trait
//! method, whatever the service. Rather than writing a decorator per trait by hand,
//! the [`aws_api!`] macro declares a service trait and, with it, its implementation
//! for [`Intercepted`], which hands each call to an [`Interceptor`].

use std::future::Future;
use std::sync::Arc;

use super::error::AwsError;
use super::service::Service;

/// Which call is being made, for rate limiting, retries, counting and faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Call {
    pub service: Service,
    /// The trait method name, such as `create_channel`.
    pub operation: &'static str,
}

/// Whether an operation of a service trait only reads (Describe, Get, List,
/// Head, and onair's own Find lookups); everything else may change something.
pub fn is_read(operation: &str) -> bool {
    ["describe_", "get_", "list_", "head_", "find_"]
        .iter()
        .any(|verb| operation.starts_with(verb))
}

/// Code run around every call. `f` starts one attempt of the call; an interceptor
/// may call it any number of times (retries) or not at all (injected failures).
pub trait Interceptor: Send + Sync + 'static {
    fn around<'a, T, F, Fut>(
        &'a self,
        call: Call,
        f: F,
    ) -> impl Future<Output = Result<T, AwsError>> + Send + 'a
    where
        T: Send + 'a,
        F: FnMut() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, AwsError>> + Send + 'a;
}

impl<I: Interceptor> Interceptor for Arc<I> {
    fn around<'a, T, F, Fut>(
        &'a self,
        call: Call,
        f: F,
    ) -> impl Future<Output = Result<T, AwsError>> + Send + 'a
    where
        T: Send + 'a,
        F: FnMut() -> Fut + Send + 'a,
        Fut: Future<Output = Result<T, AwsError>> + Send + 'a,
    {
        (**self).around(call, f)
    }
}

/// An implementation of a service trait with an [`Interceptor`] around each call.
/// It implements the same trait, so decorators stack and callers cannot tell.
pub struct Intercepted<I, A: ?Sized> {
    pub interceptor: I,
    pub inner: Arc<A>,
}

impl<I, A: ?Sized> Intercepted<I, A> {
    pub fn new(interceptor: I, inner: Arc<A>) -> Self {
        Self { interceptor, inner }
    }
}

/// Declares a service trait (dyn-compatible through `async_trait`), its
/// [`Intercepted`] implementation and both ends of its remote calls
/// ([`Remote`](super::wire::Remote) and `serve_call`). Arguments must be `Clone`: a retried call sends
/// the same request again.
macro_rules! aws_api {
    (
        $(#[$tmeta:meta])*
        pub trait $Trait:ident: $service:expr;
        $(
            $(#[$mmeta:meta])*
            async fn $method:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty;
        )*
    ) => {
        $(#[$tmeta])*
        #[async_trait::async_trait]
        pub trait $Trait: Send + Sync {
            $(
                $(#[$mmeta])*
                async fn $method(&self $(, $arg: $ty)*) -> $ret;
            )*
        }

        impl dyn $Trait {
            /// Every operation of this trait (IAM policy, call accounting).
            pub const OPERATIONS: &'static [&'static str] = &[$(stringify!($method)),*];

            /// Answers one call that came over the wire
            /// ([`aws::wire`]($crate::aws::wire)): the method's `Result` as
            /// JSON, or why the call could not be read.
            #[cfg(feature = "sandbox")]
            pub async fn serve_call(
                &self,
                operation: &str,
                args: &[serde_json::Value],
            ) -> std::result::Result<serde_json::Value, String> {
                match operation {
                    $(
                        stringify!($method) => {
                            #[allow(unused_mut, unused_variables)]
                            let mut args = args.iter();
                            $(
                                let $arg: $ty =
                                    $crate::aws::wire::from_wire(args.next(), stringify!($arg))?;
                            )*
                            $crate::aws::wire::answer(self.$method($($arg),*).await)
                        }
                    )*
                    other => Err(format!("{} has no operation {other}", stringify!($Trait))),
                }
            }
        }

        /// Every call sent over the wire to another process.
        #[cfg(feature = "sandbox")]
        #[async_trait::async_trait]
        impl<T: $crate::aws::wire::Transport> $Trait for $crate::aws::wire::Remote<T> {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> $ret {
                    self.call(
                        $service,
                        stringify!($method),
                        vec![$($crate::aws::wire::to_wire(&$arg)),*],
                    )
                    .await
                }
            )*
        }

        #[async_trait::async_trait]
        impl<I, A> $Trait for $crate::aws::intercept::Intercepted<I, A>
        where
            I: $crate::aws::intercept::Interceptor,
            A: $Trait + ?Sized + 'static,
        {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> $ret {
                    let call = $crate::aws::intercept::Call {
                        service: $service,
                        operation: stringify!($method),
                    };
                    self.interceptor
                        .around(call, || self.inner.$method($($arg.clone()),*))
                        .await
                }
            )*
        }
    };
}
pub(crate) use aws_api;
