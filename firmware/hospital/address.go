package hospital

import (
	"reflect"
	"strings"
)

// How the kiosk addresses patients ([hospital] address_as): the flow's
// Vietnamese texts are written with DefaultAddress and, when another form
// is configured, published with it instead. Never "bạn".

// Address forms.
const (
	DefaultAddress = "Quý khách"
	AddressOngBa   = "Ông/Bà"
)

// ValidAddress reports whether a is a form the kiosk may use.
func ValidAddress(a string) bool { return a == DefaultAddress || a == AddressOngBa }

var textType = reflect.TypeFor[Text]()

// addressAs rewrites every Vietnamese Text in v (a pointer to a state or a
// part of one) to address the patient as form.
func addressAs(v reflect.Value, form string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			addressAs(v.Elem(), form)
		}
	case reflect.Struct:
		if v.Type() == textType {
			if f := v.FieldByName("VI"); f.CanSet() {
				f.SetString(strings.ReplaceAll(f.String(), DefaultAddress, form))
			}
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				addressAs(v.Field(i), form)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			addressAs(v.Index(i), form)
		}
	}
}
