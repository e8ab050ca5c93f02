package idcheck

import (
	"maps"
	"slices"
)

// areaNames holds a sample of real county-level division codes (GB/T 2260)
// with their full Chinese names, one or more per province-level division, so
// generated demo data looks like it came from real customers. It is not a
// complete table and validation does not use it.
var areaNames = map[string]string{
	"110101": "北京市东城区",
	"110102": "北京市西城区",
	"110105": "北京市朝阳区",
	"110106": "北京市丰台区",
	"110108": "北京市海淀区",
	"120101": "天津市和平区",
	"120116": "天津市滨海新区",
	"130102": "河北省石家庄市长安区",
	"140105": "山西省太原市小店区",
	"150102": "内蒙古自治区呼和浩特市新城区",
	"210102": "辽宁省沈阳市和平区",
	"210202": "辽宁省大连市中山区",
	"220102": "吉林省长春市南关区",
	"230102": "黑龙江省哈尔滨市道里区",
	"310101": "上海市黄浦区",
	"310104": "上海市徐汇区",
	"310115": "上海市浦东新区",
	"320102": "江苏省南京市玄武区",
	"320505": "江苏省苏州市虎丘区",
	"330106": "浙江省杭州市西湖区",
	"330203": "浙江省宁波市海曙区",
	"340104": "安徽省合肥市蜀山区",
	"350102": "福建省福州市鼓楼区",
	"350203": "福建省厦门市思明区",
	"360102": "江西省南昌市东湖区",
	"370102": "山东省济南市历下区",
	"370202": "山东省青岛市市南区",
	"410105": "河南省郑州市金水区",
	"420106": "湖北省武汉市武昌区",
	"430104": "湖南省长沙市岳麓区",
	"440103": "广东省广州市荔湾区",
	"440106": "广东省广州市天河区",
	"440304": "广东省深圳市福田区",
	"440305": "广东省深圳市南山区",
	"450102": "广西壮族自治区南宁市兴宁区",
	"460106": "海南省海口市龙华区",
	"500103": "重庆市渝中区",
	"510104": "四川省成都市锦江区",
	"510107": "四川省成都市武侯区",
	"520102": "贵州省贵阳市南明区",
	"530102": "云南省昆明市五华区",
	"540102": "西藏自治区拉萨市城关区",
	"610113": "陕西省西安市雁塔区",
	"620102": "甘肃省兰州市城关区",
	"630102": "青海省西宁市城东区",
	"640104": "宁夏回族自治区银川市兴庆区",
	"650102": "新疆维吾尔自治区乌鲁木齐市天山区",
}

// AreaCodes returns the six-digit county codes known to AreaName, sorted.
// The slice is new on every call, so callers may modify it.
func AreaCodes() []string {
	return slices.Sorted(maps.Keys(areaNames))
}

// AreaName returns the full Chinese name of a code from AreaCodes, such as
// "上海市浦东新区" for "310115", or "" for any other code.
func AreaName(code string) string {
	return areaNames[code]
}
