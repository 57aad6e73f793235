//! Test backends, image generators and byte-level builders (EXIF, PNG chunks).

pub mod backend;
pub mod bytes_builders;
pub mod images;

/// Generates one `#[tokio::test]` per backend for each listed `async fn(Backend)` of the
/// calling module.
#[macro_export]
macro_rules! for_each_backend {
    ($($name:ident),* $(,)?) => {
        mod local {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::backend::Backend::local()).await
                }
            )*
        }
        mod object_store {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::support::backend::Backend::object_store()).await
                }
            )*
        }
    };
}
