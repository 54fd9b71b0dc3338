package steps

import (
	"context"
	"fmt"
	"reflect"
)

var contextType = reflect.TypeFor[context.Context]()

// bind turns f, a method expression of the scenario state *T (so *T comes
// first, optionally followed by context.Context), into the step godog
// calls: context.Context first, so the scenario's state is taken from the
// context and each step method says only what it checks. f must return
// error.
func bind[T any](f any) any {
	fv := reflect.ValueOf(f)
	ft := fv.Type()
	if ft.Kind() != reflect.Func || ft.NumIn() < 1 || ft.In(0) != reflect.TypeFor[*T]() ||
		ft.NumOut() != 1 || ft.Out(0) != reflect.TypeFor[error]() {
		panic(fmt.Sprintf("steps: %s is not func(*%s, [context.Context,] ...) error", ft, reflect.TypeFor[T]()))
	}
	withCtx := ft.NumIn() > 1 && ft.In(1) == contextType
	first := 1
	if withCtx {
		first = 2
	}
	in := []reflect.Type{contextType}
	for i := first; i < ft.NumIn(); i++ {
		in = append(in, ft.In(i))
	}
	step := reflect.FuncOf(in, []reflect.Type{reflect.TypeFor[error]()}, false)
	return reflect.MakeFunc(step, func(args []reflect.Value) []reflect.Value {
		ctx := args[0].Interface().(context.Context)
		st, err := stateFrom[T](ctx)
		if err != nil {
			return []reflect.Value{reflect.ValueOf(&err).Elem()}
		}
		call := []reflect.Value{reflect.ValueOf(st)}
		if withCtx {
			call = append(call, args[0])
		}
		return fv.Call(append(call, args[1:]...))
	}).Interface()
}
