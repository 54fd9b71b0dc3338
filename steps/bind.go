package steps

import (
	"context"
	"fmt"
	"reflect"
)

var contextType = reflect.TypeFor[context.Context]()

// bind turns f, a step whose parameters start with *T (optionally preceded
// by context.Context), into the step godog calls: context.Context first, so
// the scenario's state is taken from the context and each step says only
// what it checks. f must return error.
func bind[T any](f any) any {
	fv := reflect.ValueOf(f)
	ft := fv.Type()
	withCtx := ft.Kind() == reflect.Func && ft.NumIn() > 1 && ft.In(0) == contextType
	first := 0
	if withCtx {
		first = 1
	}
	if ft.Kind() != reflect.Func || ft.NumIn() <= first || ft.In(first) != reflect.TypeFor[*T]() ||
		ft.NumOut() != 1 || ft.Out(0) != reflect.TypeFor[error]() {
		panic(fmt.Sprintf("steps: %s is not func([context.Context,] *%s, ...) error", ft, reflect.TypeFor[T]()))
	}
	in := []reflect.Type{contextType}
	for i := first + 1; i < ft.NumIn(); i++ {
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
			call = []reflect.Value{args[0], reflect.ValueOf(st)}
		}
		return fv.Call(append(call, args[1:]...))
	}).Interface()
}
