// Package packaging holds no code: its tests check how hookcheck is
// shipped (the GitHub Action in action.yml, the Dockerfile and the release
// image, the goreleaser configuration), files that no other package's
// tests would exercise.
package packaging
