// Package sheet imports and exports customers and policies as CSV and XLSX
// spreadsheets, the way insurers hand over their books. FORMAT.md beside
// this file is the reference for the people who fill the sheets in; this
// comment is the same layout for programmers.
//
// # Files
//
// The first non-blank row is the header; data rows follow. Each column may
// be headed by its English key or its Chinese header (case, spaces,
// full-width brackets and a trailing "*" do not matter); an unknown or
// repeated header rejects the file, because a misspelt column would
// otherwise be dropped in silence. Columns may come in any order, and only
// the key columns are required. A column a file leaves out keeps the stored
// value of a record it updates, and takes the default for a new one.
//
// CSV is UTF-8, with or without a byte-order mark; GBK (what Chinese Excel
// saves as "CSV (Comma delimited)") and UTF-16 are rejected with a message
// saying how to save the file. XLSX is read from the first worksheet; date
// cells (Excel serial days, 1900 or 1904 system) are read as dates.
//
// Row numbers in errors are the rows a spreadsheet shows: the header is row
// 1. Every error names the row and the column in English and Chinese.
//
// # Customers
//
//	key         Chinese   notes
//	name        姓名      required column
//	kind        客户类型  individual/个人, enterprise/企业; a credit code implies 企业
//	id_type     证件类型  resident_id/居民身份证, passport/护照, hk_macau_permit/港澳居民来往内地通行证,
//	                      taiwan_permit/台湾居民来往大陆通行证, credit_code/统一社会信用代码; default 居民身份证
//	id_number   证件号码  required column; identifies the customer together with id_type
//	gender      性别      male/男, female/女; derived from a resident ID when empty
//	birth_date  出生日期  derived from a resident ID when empty
//	mobiles     手机号码  several separated by ; or ；
//	email       电子邮箱
//	address     地址
//	tier        客户等级  diamond/钻石, gold/黄金, silver/白银, ordinary/普通; default 普通
//	vip         VIP       是/否, yes/no, Y/N, 1/0; empty is 否
//
// # Policies
//
//	key                     Chinese           notes
//	number                  保单号            required column; identifies the policy
//	product_code            产品代码          a product in the catalogue; coverages are its defaults
//	policyholder_id_type    投保人证件类型    as id_type; inferred from the number when empty
//	policyholder_id_number  投保人证件号码    an existing customer: import customers first
//	insured_id_type         被保险人证件类型
//	insured_id_number       被保险人证件号码
//	premium                 保费(元)          yuan, at most two decimals ("1,234.50" and "¥" accepted)
//	payment_frequency       缴费频率          single/趸交, annual/年交, quarterly/季交, monthly/月交; default 年交
//	payment_method          缴费方式          bank_debit/银行代扣, online/网上支付, cash/柜面现金
//	bank_name               开户银行
//	bank_account            银行账号          required for 银行代扣; a Luhn failure is a warning
//	next_payment_date       下次缴费日期      required for a policy in force with periodic premiums
//	effective_date          生效日期
//	expiry_date             满期日期          empty for whole life
//	status                  保单状态          in_force/有效, lapsed/失效, terminated/终止, expired/满期; default 有效
//	sales_channel           销售渠道          agent/个人代理, bancassurance/银行代理, car_dealer/车商, online/互联网,
//	                                          telesales/电话销售, counter/柜面, broker/经纪
//	agent_code              代理人工号
//	underwriting_date       承保日期
//	beneficiaries           受益人            张三:spouse:5000;李四:child:5000 (name:relation:share, share in
//	                                          basis points or as 50%), optionally :id_number or
//	                                          :id_type:id_number; 法定/statutory for statutory heirs;
//	                                          relations spouse/配偶, child/子女, parent/父母, sibling/兄弟姐妹, other/其他
//
// Dates are 2006-01-02, 2006/01/02, 2006/1/2, 20060102 or 2006年1月2日.
//
// # Importing
//
// ImportCustomers and ImportPolicies read the whole file and validate every
// row (parse, Normalize, Validate, and the lookups of stored records in bulk)
// before anything is written. By default an import is all-or-nothing: one
// bad row and nothing is written, and the report lists every bad row.
// Options.Partial writes the valid rows instead. A row equal to the stored
// record, compared field by field rather than by version, is counted as
// unchanged and not written, so importing the same file twice changes
// nothing; a changed policy gets a new version in its history with the
// reason "import".
//
// All-or-nothing imports write in one transaction; partial ones in
// transactions of 5,000 rows so that other writers get a turn on SQLite.
// New records are written with multi-row INSERTs carrying exactly the rows
// store.Tx.CreateCustomer and store.Tx.CreatePolicy write; updates go
// through store.Tx.UpdateCustomer and store.Tx.UpdatePolicy.
//
// # Exporting
//
// ExportCustomers and ExportPolicies write an XLSX workbook in the import
// layout with the Chinese headers, every cell as text, so that an exported
// file imports back unchanged. ExportOptions.MaskCustomer is the hook for
// masking by role.
package sheet
