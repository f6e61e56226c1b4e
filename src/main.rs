//! Starts the panel on its own page; everything else is in the library.

fn main() {
    mde_library_admin::embed::start_page();
}
