//! The teacher's grid in a real headless Chromium.
