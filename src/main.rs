//! Mounts the panel; everything else is in the library.

fn main() {
    leptos::mount::mount_to_body(mde_library_admin::App);
}
