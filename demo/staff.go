package demo

import "github.com/anxin-insure/anxin"

// staffNames gives each role a short username people can type at the
// sign-in page and a display name in the form the console shows: job, dash,
// person.
var staffNames = map[anxin.Role]struct{ username, display string }{
	anxin.RoleCSR:            {"csr", "客服-李娜"},
	anxin.RoleClaims:         {"claims", "理赔-王强"},
	anxin.RolePolicyChange:   {"policychange", "保全-张敏"},
	anxin.RoleComplaints:     {"complaints", "投诉-刘洋"},
	anxin.RoleSupervisor:     {"supervisor", "主管-陈静"},
	anxin.RoleDirector:       {"director", "总监-杨帆"},
	anxin.RoleGeneralManager: {"gm", "总经理-赵建国"},
	anxin.RoleAgent:          {"agent", "代理人-黄磊"},
	anxin.RoleAuditor:        {"auditor", "审计-周婷"},
	anxin.RoleAdmin:          {"admin", "管理员-吴昊"},
}

// staffAccounts returns one account per role, in the console's role order,
// and a second customer service representative so that handing a ticket to
// a colleague can be shown.
func staffAccounts() []StaffAccount {
	out := make([]StaffAccount, 0, len(anxin.Roles)+1)
	for _, r := range anxin.Roles {
		n, ok := staffNames[r.Role]
		if !ok {
			// A role added to the domain after this table still gets an
			// account, named after the role itself.
			n.username, n.display = string(r.Role), r.Name
		}
		out = append(out, StaffAccount{Username: n.username, DisplayName: n.display, Role: r.Role, Email: n.username + "@demo.anxin.local"})
	}
	return append(out, StaffAccount{Username: "csr2", DisplayName: "客服-孙悦", Role: anxin.RoleCSR, Email: "csr2@demo.anxin.local"})
}
