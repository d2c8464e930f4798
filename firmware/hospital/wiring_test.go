package hospital

import (
	"github.com/kiosk06/kiosk/drivers/escpos"
	"github.com/kiosk06/kiosk/firmware/bhyt"
	"github.com/kiosk06/kiosk/firmware/his"
	"github.com/kiosk06/kiosk/firmware/identity"
	"github.com/kiosk06/kiosk/payments/session"
	"github.com/kiosk06/kiosk/queue"
)

// The real implementations satisfy the flow's interfaces as they are.
var (
	_ HolderVerifier   = (*identity.Holder)(nil)
	_ InsuranceChecker = (*bhyt.Client)(nil)
	_ his.HIS          = (*his.Client)(nil)
	_ Queue            = (*queue.Engine)(nil)
	_ Printer          = (*escpos.Printer)(nil)
	_ Payments         = (*session.Manager)(nil)
)
