package hospital

import "github.com/kiosk06/kiosk/firmware/identity"

// The genuine-card result screen.

func (f *Flow) cardResult(id identity.Identity) CardResult {
	c := CardResult{Verdict: id.Verdict, Method: id.Method}
	switch id.Verdict {
	case identity.Genuine:
		c.Message, c.CanContinue = msg("card.genuine"), true
	case identity.Unverified:
		c.Message, c.CanContinue = msg("card.unverified"), !f.cfg.RejectUnverified
		c.Reason = msg("card.unverified_qr")
		if !c.CanContinue {
			c.Reason = msg(reasonKey(id.Reason))
		}
	default:
		c.Verdict = identity.NotGenuine
		c.Message, c.Reason = msg("card.not_genuine"), msg(reasonKey(id.Reason))
	}
	return c
}

// reasonKey is the plain-language explanation of why a card was refused
// (the reason code itself is for the records, never the screen).
func reasonKey(r identity.Reason) string {
	switch r {
	case identity.ReasonClone, identity.ReasonCardAccessMismatch:
		return "card.why.copied"
	case identity.ReasonHashMismatch, identity.ReasonDataMismatch:
		return "card.why.altered"
	case identity.ReasonBadSignature, identity.ReasonUntrustedSigner, identity.ReasonExpiredSigner, identity.ReasonMalformed:
		return "card.why.signature"
	case identity.ReasonQROnly, identity.ReasonUIDOnly:
		return "card.why.qr_only"
	}
	return "card.why.unchecked"
}

func (f *Flow) cardActions() []Action {
	if !f.m.card.CanContinue {
		return []Action{act(IntentCallStaff, "call_staff", true), act(IntentBack, "back", false), act(IntentCancel, "cancel", false)}
	}
	// Continue, Back and Call staff first; registering someone else, a
	// child or erasing the fingerprint are the other choices.
	a := []Action{act(IntentContinue, "continue", true), act(IntentBack, "back", false), act(IntentCallStaff, "call_staff", false)}
	if f.m.agent == nil {
		a = append(a, act(IntentForOther, "for_other", false))
		if f.m.card.Verdict == identity.Genuine {
			a = append(a, act(IntentForChild, "for_child", false))
		}
	}
	if f.deps.Holder != nil && f.m.agent == nil && f.m.card.Verdict == identity.Genuine {
		a = append(a, act(IntentErase, "erase_fingerprint", false))
	}
	return append(a, act(IntentCancel, "cancel", false))
}
