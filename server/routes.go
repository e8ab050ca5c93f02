package server

import "github.com/anxin-insure/anxin"

// apiRoutes is the JSON API: every endpoint, the permission it needs, and a
// summary that the OpenAPI document repeats.
func (s *Server) apiRoutes() []Route {
	api := func(method, path string, access Access, perm anxin.Permission, summary string, h handlerFunc) Route {
		return Route{Method: method, Path: path, Access: access, Permission: perm, Summary: summary, API: true, handle: h}
	}
	return []Route{
		api("GET", "/healthz", Public, "", "Liveness: the process answers", s.healthz),
		api("GET", "/readyz", Public, "", "Readiness: database, jobs and calendar", s.readyz),
		api("GET", "/api/v1/openapi.json", Public, "", "This API's OpenAPI 3.1 document", s.openAPI),

		api("POST", "/api/v1/auth/login", Public, "", "Sign in with username and password; sets the session cookie", s.login),
		api("POST", "/api/v1/auth/logout", Staff, "", "End the current session", s.logout),
		api("GET", "/api/v1/me", Staff, "", "The signed-in staff member and their permissions", s.me),
		api("POST", "/api/v1/me/totp", Staff, "", "Start setting up an authenticator app (second factor)", s.startTOTP),
		api("POST", "/api/v1/me/totp/confirm", Staff, "", "Turn the second factor on with a code from the app", s.confirmTOTP),
		api("DELETE", "/api/v1/staff/{username}/totp", Staff, anxin.PermStaffWrite, "Remove a staff member's second factor (lost phone)", s.resetTOTP),
		api("POST", "/api/v1/tokens", Staff, anxin.PermTokenWrite, "Issue an API token acting as a staff account", s.createToken),
		api("DELETE", "/api/v1/staff/{username}/sessions", Staff, anxin.PermStaffWrite, "End every session of a staff member", s.revokeSessions),
		api("GET", "/api/v1/exports/{what}", Staff, anxin.PermDataExport, "Export customers or policies as XLSX (masked unless the role sees all in full; audited)", s.export),

		api("GET", "/api/v1/customers", Staff, anxin.PermCustomerRead, "Search customers by name, mobile or ID number", s.listCustomers),
		api("POST", "/api/v1/customers", Staff, anxin.PermCustomerWrite, "Create a customer", s.createCustomer),
		api("GET", "/api/v1/customers/{id}", Staff, anxin.PermCustomerRead, "Get a customer", s.getCustomer),
		api("PUT", "/api/v1/customers/{id}", Staff, anxin.PermCustomerWrite, "Update a customer (If-Match required)", s.updateCustomer),
		api("POST", "/api/v1/customers/{id}/unmask", Staff, anxin.PermCustomerRead, "Show one personal field in full, for a stated reason (audited)", s.unmaskCustomer),
		api("GET", "/api/v1/customers/{id}/policies", Staff, anxin.PermPolicyRead, "List a customer's policies (as policyholder or insured)", s.customerPolicies),

		api("GET", "/api/v1/products", Staff, anxin.PermProductRead, "The product catalogue", s.listProducts),
		api("GET", "/api/v1/products/{code}", Staff, anxin.PermProductRead, "Get a product", s.getProduct),
		api("PUT", "/api/v1/products/{code}", Staff, anxin.PermProductWrite, "Create or replace a product", s.putProduct),

		api("GET", "/api/v1/policies", Staff, anxin.PermPolicyRead, "List policies by customer, product or status", s.listPolicies),
		api("POST", "/api/v1/policies", Staff, anxin.PermPolicyWrite, "Create a policy", s.createPolicy),
		api("GET", "/api/v1/policies/{number}", Staff, anxin.PermPolicyRead, "Get a policy by number", s.getPolicy),
		api("PUT", "/api/v1/policies/{number}", Staff, anxin.PermPolicyWrite, "Change a policy: a new version (If-Match required)", s.updatePolicy),
		api("POST", "/api/v1/policies/{number}/unmask", Staff, anxin.PermPolicyRead, "Show the policy's bank account in full, for a stated reason (audited)", s.unmaskPolicy),
		api("GET", "/api/v1/policies/{number}/history", Staff, anxin.PermPolicyRead, "Every version of a policy", s.policyHistory),

		api("GET", "/api/v1/calendar/deadline", Staff, anxin.PermCalendarRead, "A deadline N working days (or H hours) from an instant", s.deadline),
		api("GET", "/api/v1/calendar/{year}", Staff, anxin.PermCalendarRead, "Every day of a year: working or not, and why", s.calendarYear),
		api("PUT", "/api/v1/calendar/{year}", Staff, anxin.PermCalendarWrite, "Load a year's holiday schedule (CSV or JSON)", s.putCalendarYear),
	}
}
