package hookcheck

// RunHandler exposes the virtual-time run to tests that assert on verdicts
// without turning every scenario into a subtest.
var RunHandler = runHandler

// BuildFrom exposes the build-info reading to tests, which feed it
// build infos a test binary never has.
var BuildFrom = buildFrom

// Fixes exposes the fix lines a failed scenario's subtest carries.
var Fixes = fixes
