package anxin

import (
	"slices"
	"time"
)

// Role is a staff member's job; it decides the permissions they hold.
type Role string

const (
	RoleCSR            Role = "csr"             // 客户服务代表
	RoleClaims         Role = "claims"          // 理赔专员
	RolePolicyChange   Role = "policy_change"   // 保全专员
	RoleComplaints     Role = "complaints"      // 投诉处理专员
	RoleSupervisor     Role = "supervisor"      // 服务主管
	RoleDirector       Role = "director"        // 部门总监
	RoleGeneralManager Role = "general_manager" // 总经理
	RoleAgent          Role = "agent"           // 代理人
	RoleAuditor        Role = "auditor"         // 审计员
	RoleAdmin          Role = "admin"           // 系统管理员
)

// Roles lists every role with its names, in the order the console shows them.
var Roles = []struct {
	Role         Role
	Name, NameEN string
}{
	{RoleCSR, "客户服务代表", "Customer service representative"},
	{RoleClaims, "理赔专员", "Claims specialist"},
	{RolePolicyChange, "保全专员", "Policy-change specialist"},
	{RoleComplaints, "投诉处理专员", "Complaint specialist"},
	{RoleSupervisor, "服务主管", "Service supervisor"},
	{RoleDirector, "部门总监", "Department director"},
	{RoleGeneralManager, "总经理", "General manager"},
	{RoleAgent, "代理人", "Agent"},
	{RoleAuditor, "审计员", "Auditor"},
	{RoleAdmin, "系统管理员", "Administrator"},
}

// ValidRole reports whether r is a known role.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x.Role == r {
			return true
		}
	}
	return false
}

// Permission is an "object:action" string. Every route names exactly one.
type Permission string

// The permission catalogue. Later capabilities add theirs here.
const (
	PermCustomerRead  Permission = "customer:read"
	PermCustomerWrite Permission = "customer:write"
	PermPolicyRead    Permission = "policy:read"
	PermPolicyWrite   Permission = "policy:write"
	PermProductRead   Permission = "product:read"
	PermProductWrite  Permission = "product:write"
	PermCalendarRead  Permission = "calendar:read"
	PermCalendarWrite Permission = "calendar:write"
	PermStaffRead     Permission = "staff:read"
	PermStaffWrite    Permission = "staff:write"
	PermTokenWrite    Permission = "token:write"
	PermDataImport    Permission = "data:import"
	PermDataExport    Permission = "data:export"
	PermAuditRead     Permission = "audit:read"
	PermTicketRead    Permission = "ticket:read"
	PermTicketWrite   Permission = "ticket:write"
	PermTicketAssign  Permission = "ticket:assign" // hand others' tickets over, manage agents' shifts
	PermTicketConfig  Permission = "ticket:config" // ticket types, SLA policies, routing rules, templates, webhooks
	PermClaimRead     Permission = "claim:read"
	PermClaimWrite    Permission = "claim:write"   // report claims, documents, tasks, disputes
	PermClaimDecide   Permission = "claim:decide"  // calculate and decide
	PermClaimApprove  Permission = "claim:approve" // approve within the role's limit; see full bank accounts
	PermClaimConfig   Permission = "claim:config"  // risk, complexity and fast-track rules, approval limits, checklists
)

// Permissions is the whole catalogue, for the route walk test and the docs.
var Permissions = []Permission{
	PermCustomerRead, PermCustomerWrite, PermPolicyRead, PermPolicyWrite,
	PermProductRead, PermProductWrite, PermCalendarRead, PermCalendarWrite,
	PermStaffRead, PermStaffWrite, PermTokenWrite, PermDataImport, PermDataExport, PermAuditRead,
	PermTicketRead, PermTicketWrite, PermTicketAssign, PermTicketConfig,
	PermClaimRead, PermClaimWrite, PermClaimDecide, PermClaimApprove, PermClaimConfig,
}

// rolePermissions maps roles to permissions: the one place that decides who
// may do what.
var rolePermissions = map[Role][]Permission{
	RoleCSR:            {PermCustomerRead, PermCustomerWrite, PermPolicyRead, PermProductRead, PermCalendarRead, PermTicketRead, PermTicketWrite, PermClaimRead, PermClaimWrite},
	RoleClaims:         {PermCustomerRead, PermPolicyRead, PermProductRead, PermCalendarRead, PermTicketRead, PermTicketWrite, PermClaimRead, PermClaimWrite, PermClaimDecide, PermClaimApprove},
	RolePolicyChange:   {PermCustomerRead, PermCustomerWrite, PermPolicyRead, PermPolicyWrite, PermProductRead, PermCalendarRead, PermTicketRead, PermTicketWrite, PermClaimRead},
	RoleComplaints:     {PermCustomerRead, PermPolicyRead, PermProductRead, PermCalendarRead, PermTicketRead, PermTicketWrite, PermClaimRead},
	RoleSupervisor:     {PermCustomerRead, PermCustomerWrite, PermPolicyRead, PermPolicyWrite, PermProductRead, PermCalendarRead, PermStaffRead, PermDataExport, PermTicketRead, PermTicketWrite, PermTicketAssign, PermClaimRead, PermClaimWrite, PermClaimDecide, PermClaimApprove},
	RoleDirector:       {PermCustomerRead, PermPolicyRead, PermProductRead, PermCalendarRead, PermStaffRead, PermDataExport, PermTicketRead, PermTicketWrite, PermTicketAssign, PermClaimRead, PermClaimWrite, PermClaimDecide, PermClaimApprove, PermClaimConfig},
	RoleGeneralManager: {PermCustomerRead, PermPolicyRead, PermProductRead, PermCalendarRead, PermStaffRead, PermDataExport, PermTicketRead, PermTicketAssign, PermClaimRead, PermClaimApprove},
	RoleAgent:          {PermCustomerRead, PermPolicyRead, PermProductRead, PermCalendarRead, PermTicketRead, PermTicketWrite, PermClaimRead, PermClaimWrite},
	RoleAuditor:        {PermCustomerRead, PermPolicyRead, PermProductRead, PermCalendarRead, PermStaffRead, PermAuditRead, PermTicketRead, PermClaimRead},
	RoleAdmin:          {PermCustomerRead, PermCustomerWrite, PermPolicyRead, PermPolicyWrite, PermProductRead, PermProductWrite, PermCalendarRead, PermCalendarWrite, PermStaffRead, PermStaffWrite, PermTokenWrite, PermDataImport, PermDataExport, PermTicketRead, PermTicketWrite, PermTicketAssign, PermTicketConfig, PermClaimRead, PermClaimWrite, PermClaimConfig},
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	return slices.Contains(rolePermissions[r], p)
}

// RolePermissions returns a copy of the permissions role r holds.
func RolePermissions(r Role) []Permission {
	return slices.Clone(rolePermissions[r])
}

// Staff is an employee (or agent) who signs in to the console or API.
type Staff struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Role        Role      `json:"role"`
	Email       string    `json:"email,omitempty"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
}

// Actor is whoever causes a change: a staff member, an API token, the system.
// Services take one so that every change can say who made it.
type Actor struct {
	Kind    string // "staff", "token", "customer", "system"
	ID      string
	Name    string
	Role    Role
	Channel string // "console", "api", "cli", "job", "import"
}

// SystemActor is the actor for jobs and command-line work.
func SystemActor(channel string) Actor {
	return Actor{Kind: "system", ID: "system", Name: "system", Role: RoleAdmin, Channel: channel}
}

// Can reports whether the actor may do p.
func (a Actor) Can(p Permission) bool { return a.Role.Can(p) }

// SeesFull reports whether the actor sees field f unmasked. The system
// itself (jobs, the command line) works on full data; people see what their
// role needs.
func (a Actor) SeesFull(f PersonalField) bool {
	return a.Kind == "system" || a.Role.SeesFull(f)
}
