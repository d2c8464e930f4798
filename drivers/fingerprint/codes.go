package fingerprint

import (
	"errors"
	"fmt"
)

// Instruction codes (R30x datasheet §5.2; ZFM user manual ch. 4).
const (
	CmdGenImg      = 0x01 // capture a finger image into the image buffer
	CmdImg2Tz      = 0x02 // image → character file in CharBuffer 1 or 2
	CmdMatch       = 0x03 // compare CharBuffer 1 and 2
	CmdSearch      = 0x04 // search the library with a CharBuffer
	CmdRegModel    = 0x05 // combine CharBuffer 1 and 2 into a template
	CmdStore       = 0x06 // store a CharBuffer at a library slot (page)
	CmdLoadChar    = 0x07 // load a library slot into a CharBuffer
	CmdUpChar      = 0x08 // upload a CharBuffer to the host
	CmdDownChar    = 0x09 // download a template from the host into a CharBuffer
	CmdDeleteChar  = 0x0C // delete N templates from a slot
	CmdEmpty       = 0x0D // delete every template
	CmdReadSysPara = 0x0F // read the system parameters
	CmdVfyPwd      = 0x13 // verify the handshake password
	CmdTemplateNum = 0x1D // number of stored templates
)

// CommandName returns the datasheet name of an instruction code.
func CommandName(cmd byte) string {
	switch cmd {
	case CmdGenImg:
		return "GenImg"
	case CmdImg2Tz:
		return "Img2Tz"
	case CmdMatch:
		return "Match"
	case CmdSearch:
		return "Search"
	case CmdRegModel:
		return "RegModel"
	case CmdStore:
		return "Store"
	case CmdLoadChar:
		return "LoadChar"
	case CmdUpChar:
		return "UpChar"
	case CmdDownChar:
		return "DownChar"
	case CmdDeleteChar:
		return "DeleteChar"
	case CmdEmpty:
		return "Empty"
	case CmdReadSysPara:
		return "ReadSysPara"
	case CmdVfyPwd:
		return "VfyPwd"
	case CmdTemplateNum:
		return "TemplateNum"
	}
	return fmt.Sprintf("cmd 0x%02X", cmd)
}

// Errors callers branch on; a module's confirmation code maps to one of
// these (see Codes). Match with errors.Is.
var (
	ErrComm          = errors.New("fingerprint: module reported a packet receive error")
	ErrNoFinger      = errors.New("fingerprint: no finger on the sensor")
	ErrBadImage      = errors.New("fingerprint: finger image unusable")
	ErrNoMatch       = errors.New("fingerprint: fingers do not match")
	ErrNotFound      = errors.New("fingerprint: finger not found in the library")
	ErrCombine       = errors.New("fingerprint: captures could not be combined")
	ErrBadSlot       = errors.New("fingerprint: slot beyond the library")
	ErrTemplate      = errors.New("fingerprint: template transfer or read failed")
	ErrWrongPassword = errors.New("fingerprint: wrong module password")
	ErrDevice        = errors.New("fingerprint: module failure")
	// ErrTimeout: the module did not answer in time (absent, wrong baud,
	// wrong address).
	ErrTimeout = errors.New("fingerprint: no answer from the module")
)

// CodeInfo describes one confirmation code.
type CodeInfo struct {
	Err error  // sentinel it maps to
	EN  string // English message
	VI  string // Vietnamese message, for the kiosk screen
}

// Codes maps every confirmation code the driver knows (R30x datasheet §5.2,
// per-instruction "confirmation code" tables) to its error and messages.
var Codes = map[byte]CodeInfo{
	0x01: {ErrComm, "error receiving the packet", "lỗi nhận gói dữ liệu"},
	0x02: {ErrNoFinger, "no finger on the sensor", "chưa đặt ngón tay lên cảm biến"},
	0x03: {ErrBadImage, "failed to capture the finger image", "không lấy được ảnh vân tay"},
	0x06: {ErrBadImage, "image too disorderly to make a character file", "ảnh vân tay bị nhòe, không tạo được đặc trưng"},
	0x07: {ErrBadImage, "too few feature points", "ảnh vân tay có quá ít điểm đặc trưng"},
	0x08: {ErrNoMatch, "fingers do not match", "vân tay không khớp"},
	0x09: {ErrNotFound, "no matching finger in the library", "không tìm thấy vân tay trong thư viện"},
	0x0A: {ErrCombine, "failed to combine the character files", "không ghép được hai lần lấy mẫu"},
	0x0B: {ErrBadSlot, "slot number beyond the finger library", "số vị trí vượt quá dung lượng thư viện"},
	0x0C: {ErrTemplate, "error reading the template, or template invalid", "lỗi đọc mẫu vân tay hoặc mẫu không hợp lệ"},
	0x0D: {ErrTemplate, "error uploading the template", "lỗi gửi mẫu vân tay"},
	0x0E: {ErrTemplate, "module cannot receive the data packets", "thiết bị không nhận được gói dữ liệu"},
	0x0F: {ErrDevice, "error uploading the image", "lỗi gửi ảnh vân tay"},
	0x10: {ErrDevice, "failed to delete the template", "không xóa được mẫu vân tay"},
	0x11: {ErrDevice, "failed to clear the finger library", "không xóa được thư viện vân tay"},
	0x13: {ErrWrongPassword, "wrong password", "sai mật khẩu thiết bị vân tay"},
	0x15: {ErrBadImage, "no valid primary image", "không có ảnh vân tay hợp lệ"},
	0x18: {ErrDevice, "error writing flash", "lỗi ghi bộ nhớ flash"},
	0x19: {ErrDevice, "undefined error", "lỗi không xác định"},
	0x1A: {ErrDevice, "invalid register number", "số thanh ghi không hợp lệ"},
	0x1B: {ErrDevice, "incorrect register configuration", "cấu hình thanh ghi không đúng"},
	0x1C: {ErrDevice, "wrong notepad page number", "số trang bộ nhớ ghi chú sai"},
	0x1D: {ErrDevice, "communication port operation failed", "lỗi cổng giao tiếp"},
	0x20: {ErrDevice, "address code error", "sai địa chỉ thiết bị"},
	0x21: {ErrWrongPassword, "password must be verified first", "cần xác thực mật khẩu thiết bị"},
}

// CodeError is a non-zero confirmation code from the module.
type CodeError struct {
	Cmd  byte // instruction that failed
	Code byte // confirmation code
}

func (e *CodeError) info() CodeInfo {
	if ci, ok := Codes[e.Code]; ok {
		return ci
	}
	return CodeInfo{ErrDevice, "unknown confirmation code", "lỗi thiết bị vân tay không xác định"}
}

// Error is the English message with the instruction and code.
func (e *CodeError) Error() string {
	return fmt.Sprintf("fingerprint: %s: confirmation code 0x%02X: %s", CommandName(e.Cmd), e.Code, e.info().EN)
}

// Vietnamese is the message for the kiosk screen.
func (e *CodeError) Vietnamese() string { return e.info().VI }

// Unwrap returns the sentinel error the code maps to.
func (e *CodeError) Unwrap() error { return e.info().Err }

// Messages returns the Vietnamese and English messages for any error from
// this package (transport errors included), for screens and staff.
func Messages(err error) (vi, en string) {
	var ce *CodeError
	switch {
	case err == nil:
		return "", ""
	case errors.As(err, &ce):
		ci := ce.info()
		return ci.VI, ci.EN
	case errors.Is(err, ErrTimeout):
		return "thiết bị vân tay không phản hồi", "the fingerprint module does not answer"
	case errors.Is(err, ErrChecksum), errors.Is(err, ErrFrame):
		return "lỗi truyền dữ liệu với thiết bị vân tay", "communication error with the fingerprint module"
	}
	return "lỗi thiết bị vân tay", err.Error()
}
