package hookcheck

// RunHandler exposes the virtual-time run to tests that assert on verdicts
// without turning every scenario into a subtest.
var RunHandler = runHandler
