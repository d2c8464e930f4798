package testpki

import (
	"fmt"
	"time"
)

// Person names one of the simulated citizens, so that a simulator can offer
// more than one person: priority and concessions by age, a child without a
// chip card, and a second adult who acts for another ("làm hộ"). All are
// fictional; their numbers follow the real numbering rules (see Citizen).
type Person string

// The simulated citizens.
const (
	// Adult is DefaultCitizen: Nguyễn Văn An, born 1999 in Hà Nội.
	Adult Person = "adult"
	// Elderly is Hoàng Thị Lan, born 1948 in Nam Định: 75 or older
	// (hospital priority, Law on Medical Examination and Treatment 2023)
	// and 60 or older (bus concession). Her card, issued at 72, has no
	// expiry ("Không thời hạn"), so its MRZ expiry field is a filler.
	Elderly Person = "elderly"
	// Child is Trần Minh Khôi, three years old: under 6 (priority, free
	// bus) and without a chip card — only his personal ID number (given
	// at birth registration) and date of birth exist, for a kiosk to
	// type. His birth date moves with the day asked for, so he stays a
	// three-year-old.
	Child Person = "child"
	// SecondAdult is Phạm Thị Thu Hà, born 1995 in Hải Phòng, living in
	// Hà Nội: Khôi's mother, the adult who acts for another (her child,
	// or an elderly relative) with her own card.
	SecondAdult Person = "second-adult"
)

// People lists the simulated citizens in the order a panel shows them.
func People() []Person { return []Person{Adult, Elderly, Child, SecondAdult} }

// ParsePerson maps a name to a Person; "" is Adult.
func ParsePerson(name string) (Person, error) {
	if name == "" {
		return Adult, nil
	}
	for _, p := range People() {
		if string(p) == name {
			return p, nil
		}
	}
	return "", fmt.Errorf("testpki: unknown person %q (want adult, elderly, child or second-adult)", name)
}

// Citizen returns p's data as of the day now (only the child's birth date
// and ID number depend on it). An unknown Person gives the zero Citizen.
//
// Every ID number follows the 12-digit personal identification number of
// Decree 137/2015/NĐ-CP Art. 13 and Circular 07/2016/TT-BCA (restated in
// Circular 59/2021/TT-BCA Art. 4): the province code of the birth
// registration (Circular 07/2016 Appendix I: 001 Hà Nội, 031 Hải Phòng,
// 036 Nam Định), one digit for century and sex (born 1900–1999: male 0,
// female 1; 2000–2099: male 2, female 3), the last two digits of the birth
// year, then six digits. The CAN is the last six (design §4).
func (p Person) Citizen(now time.Time) Citizen {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	switch p {
	case Adult:
		return DefaultCitizen()
	case Elderly:
		return Citizen{
			ID: "036148002197", OldID: "160512347", FullName: "Hoàng Thị Lan",
			DateOfBirth: d(1948, time.August, 12), Sex: "Nữ", Nationality: "Việt Nam",
			Ethnicity: "Kinh", Religion: "Công giáo", Hometown: "Xã Hải Anh, Hải Hậu, Nam Định",
			Residence: "Số 27 Đường Hùng Vương, Phường Vị Hoàng, Thành phố Nam Định, Nam Định",
			Marks:     "Sẹo chấm C:1cm trên đuôi mày phải",
			// Issued at 72, past the last change age (60): no expiry
			// (Luật Căn cước công dân 2014 Art. 21).
			IssueDate: d(2021, time.June, 15),
			Father:    "Hoàng Văn Tư", Mother: "Đỗ Thị Nhài", Spouse: "Trần Văn Khải",
		}
	case SecondAdult:
		return Citizen{
			ID: "031195004512", OldID: "031845672", FullName: "Phạm Thị Thu Hà",
			DateOfBirth: d(1995, time.November, 2), Sex: "Nữ", Nationality: "Việt Nam",
			Ethnicity: "Kinh", Religion: "Không", Hometown: "Xã Tân Dân, An Lão, Hải Phòng",
			Residence: "Số 8 Ngõ 68 Phố Trung Kính, Yên Hòa, Cầu Giấy, Hà Nội",
			Marks:     "Nốt ruồi C:1cm trên trước cánh mũi trái",
			// Issued at 25, after the grace window of the 25th birthday:
			// valid to 40 (2014 law).
			IssueDate: d(2021, time.April, 20), DateOfExpiry: d(2035, time.November, 2),
			Father: "Phạm Văn Long", Mother: "Vũ Thị Mai", Spouse: "Trần Quốc Tuấn",
		}
	case Child:
		born := d(now.Year()-3, time.June, 1)
		return Citizen{
			ID:       fmt.Sprintf("0012%02d006318", born.Year()%100),
			FullName: "Trần Minh Khôi", DateOfBirth: born, Sex: "Nam", Nationality: "Việt Nam",
			Ethnicity: "Kinh", Religion: "Không", Hometown: "Xã Vân Canh, Hoài Đức, Hà Nội",
			Residence: "Số 8 Ngõ 68 Phố Trung Kính, Yên Hòa, Cầu Giấy, Hà Nội",
			Father:    "Trần Quốc Tuấn", Mother: "Phạm Thị Thu Hà",
		}
	}
	return Citizen{}
}

// HasCard reports whether c holds a chip card (a card has an issue date).
// NewCCCD refuses a citizen without one.
func (c Citizen) HasCard() bool { return !c.IssueDate.IsZero() }

// QR is the payload of the QR printed on c's card, in the 2021–2024 CCCD
// format drivers/cccd parses (ParseQR):
//
//	ID|old ID|full name|DDMMYYYY (birth)|Nam/Nữ|residence|DDMMYYYY (issue)
//
// It is "" for a citizen without a card.
func (c Citizen) QR() string {
	if !c.HasCard() {
		return ""
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", c.ID, c.OldID, c.FullName, c.DateOfBirth.Format("02012006"),
		c.Sex, c.Residence, c.IssueDate.Format("02012006"))
}
