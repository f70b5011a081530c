package server

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/account"
)

// TestMain lowers the bcrypt cost: the tests log in hundreds of times under -race.
func TestMain(m *testing.M) {
	account.PasswordCost = bcrypt.MinCost
	os.Exit(m.Run())
}
