//! Integration tests of the `dingtalk` crate: one test binary (see ARCHITECTURE practice 7).

mod callback_props;
mod callback_vectors;
