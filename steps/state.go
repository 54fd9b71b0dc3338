package steps

import (
	"context"
	"fmt"
)

// stateKey keys a scenario's state of type T in the context.
type stateKey[T any] struct{}

// withState returns ctx carrying s.
func withState[T any](ctx context.Context, s *T) context.Context {
	return context.WithValue(ctx, stateKey[T]{}, s)
}

// stateFrom returns the scenario's state of type T, or an error naming the
// missing setup step.
func stateFrom[T any](ctx context.Context) (*T, error) {
	s, ok := ctx.Value(stateKey[T]{}).(*T)
	if !ok {
		var zero T
		return nil, fmt.Errorf("no %T in this scenario: is its step type registered?", zero)
	}
	return s, nil
}
