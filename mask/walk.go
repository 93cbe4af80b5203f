package mask

import "reflect"

// Strings masks, in place, every string that v (a pointer) holds: fields
// of structs, however deep, elements of slices and arrays, values of maps,
// behind pointers and interfaces. A struct field tagged `mask:"keep"` (a
// hash, a cursor) is left as it is. It is how a whole answer is masked at
// once, so that a field added later is masked without anyone remembering.
func Strings(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return
	}
	walk(rv.Elem())
}

func walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if m := Text(s); m != s {
					v.SetString(m)
				}
			}
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		e := v.Elem()
		if v.Kind() == reflect.Interface {
			// What an interface holds cannot be set in place: mask a copy.
			if e.Kind() == reflect.String || e.Kind() == reflect.Struct || e.Kind() == reflect.Slice || e.Kind() == reflect.Map || e.Kind() == reflect.Array {
				c := reflect.New(e.Type()).Elem()
				c.Set(e)
				walk(c)
				if v.CanSet() {
					v.Set(c)
				}
			} else {
				walk(e)
			}
			return
		}
		walk(e)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < v.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("mask") == "keep" {
				continue
			}
			walk(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes are not text
		}
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			return
		}
		for _, k := range v.MapKeys() {
			e := v.MapIndex(k)
			c := reflect.New(e.Type()).Elem()
			c.Set(e)
			walk(c)
			v.SetMapIndex(k, c)
		}
	}
}
