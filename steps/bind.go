package steps

import (
	"context"
	"fmt"
	"reflect"
)

var contextType = reflect.TypeFor[context.Context]()

// bind turns f, a step whose first parameter is *T, into the step godog
// calls: the same function with context.Context first, so the scenario's
// state is taken from the context and each step says only what it checks.
// f must return error.
func bind[T any](f any) any {
	fv := reflect.ValueOf(f)
	ft := fv.Type()
	if ft.Kind() != reflect.Func || ft.NumIn() == 0 || ft.In(0) != reflect.TypeFor[*T]() ||
		ft.NumOut() != 1 || ft.Out(0) != reflect.TypeFor[error]() {
		panic(fmt.Sprintf("steps: %s is not func(*%s, ...) error", ft, reflect.TypeFor[T]()))
	}
	in := []reflect.Type{contextType}
	for i := 1; i < ft.NumIn(); i++ {
		in = append(in, ft.In(i))
	}
	out := []reflect.Type{reflect.TypeFor[error]()}
	step := reflect.FuncOf(in, out, false)
	return reflect.MakeFunc(step, func(args []reflect.Value) []reflect.Value {
		st, err := stateFrom[T](args[0].Interface().(context.Context))
		if err != nil {
			return []reflect.Value{reflect.ValueOf(&err).Elem()}
		}
		args[0] = reflect.ValueOf(st)
		return fv.Call(args)
	}).Interface()
}
