package demo

// Name tables. Each entry carries its pinyin so that e-mail addresses can be
// made from names the way people in China actually pick them.

type hanzi struct{ zh, py string }

// The weights of the weighted tables below, in the form gen.weighted takes.
var (
	surnameWeights = weightsOf(surnames, func(s surnameEntry) int { return s.weight })
	mailWeights    = weightsOf(mailDomains, func(d mailDomain) int { return d.weight })
	bankWeights    = weightsOf(banks, func(b bank) int { return b.weight })
)

func weightsOf[T any](list []T, weight func(T) int) []int {
	w := make([]int, len(list))
	for i, x := range list {
		w[i] = weight(x)
	}
	return w
}

// surnames are weighted roughly by frequency in the population, so the demo
// has many 王, 李 and 张 and only the occasional compound surname.
var surnames = []surnameEntry{
	{hanzi{"王", "wang"}, 72}, {hanzi{"李", "li"}, 72}, {hanzi{"张", "zhang"}, 68}, {hanzi{"刘", "liu"}, 54},
	{hanzi{"陈", "chen"}, 46}, {hanzi{"杨", "yang"}, 32}, {hanzi{"黄", "huang"}, 24}, {hanzi{"赵", "zhao"}, 22},
	{hanzi{"吴", "wu"}, 21}, {hanzi{"周", "zhou"}, 21}, {hanzi{"徐", "xu"}, 15}, {hanzi{"孙", "sun"}, 15},
	{hanzi{"马", "ma"}, 14}, {hanzi{"朱", "zhu"}, 13}, {hanzi{"胡", "hu"}, 13}, {hanzi{"郭", "guo"}, 12},
	{hanzi{"何", "he"}, 12}, {hanzi{"高", "gao"}, 11}, {hanzi{"林", "lin"}, 11}, {hanzi{"罗", "luo"}, 11},
	{hanzi{"郑", "zheng"}, 10}, {hanzi{"梁", "liang"}, 10}, {hanzi{"谢", "xie"}, 8}, {hanzi{"宋", "song"}, 8},
	{hanzi{"唐", "tang"}, 8}, {hanzi{"许", "xu"}, 7}, {hanzi{"韩", "han"}, 7}, {hanzi{"冯", "feng"}, 7},
	{hanzi{"邓", "deng"}, 7}, {hanzi{"曹", "cao"}, 6}, {hanzi{"彭", "peng"}, 6}, {hanzi{"曾", "zeng"}, 6},
	{hanzi{"肖", "xiao"}, 6}, {hanzi{"田", "tian"}, 5}, {hanzi{"董", "dong"}, 5}, {hanzi{"袁", "yuan"}, 5},
	{hanzi{"潘", "pan"}, 5}, {hanzi{"于", "yu"}, 5}, {hanzi{"蒋", "jiang"}, 5}, {hanzi{"蔡", "cai"}, 5},
	{hanzi{"余", "yu"}, 5}, {hanzi{"杜", "du"}, 5}, {hanzi{"叶", "ye"}, 5}, {hanzi{"程", "cheng"}, 5},
	{hanzi{"苏", "su"}, 4}, {hanzi{"魏", "wei"}, 4}, {hanzi{"吕", "lv"}, 4}, {hanzi{"丁", "ding"}, 4},
	{hanzi{"任", "ren"}, 4}, {hanzi{"沈", "shen"}, 4}, {hanzi{"姚", "yao"}, 4}, {hanzi{"卢", "lu"}, 4},
	{hanzi{"姜", "jiang"}, 3}, {hanzi{"崔", "cui"}, 3}, {hanzi{"钟", "zhong"}, 3}, {hanzi{"谭", "tan"}, 3},
	{hanzi{"陆", "lu"}, 3}, {hanzi{"汪", "wang"}, 3}, {hanzi{"范", "fan"}, 3}, {hanzi{"金", "jin"}, 3},
	{hanzi{"石", "shi"}, 3}, {hanzi{"廖", "liao"}, 3}, {hanzi{"贾", "jia"}, 3}, {hanzi{"夏", "xia"}, 3},
	{hanzi{"韦", "wei"}, 3}, {hanzi{"方", "fang"}, 3}, {hanzi{"白", "bai"}, 3}, {hanzi{"邹", "zou"}, 3},
	{hanzi{"孟", "meng"}, 2}, {hanzi{"熊", "xiong"}, 2}, {hanzi{"秦", "qin"}, 2}, {hanzi{"邱", "qiu"}, 2},
	{hanzi{"江", "jiang"}, 2}, {hanzi{"尹", "yin"}, 2}, {hanzi{"薛", "xue"}, 2}, {hanzi{"段", "duan"}, 2},
	{hanzi{"雷", "lei"}, 2}, {hanzi{"侯", "hou"}, 2}, {hanzi{"龙", "long"}, 2}, {hanzi{"史", "shi"}, 2},
	{hanzi{"陶", "tao"}, 2}, {hanzi{"黎", "li"}, 2}, {hanzi{"贺", "he"}, 2}, {hanzi{"顾", "gu"}, 2},
	{hanzi{"毛", "mao"}, 2}, {hanzi{"郝", "hao"}, 2}, {hanzi{"龚", "gong"}, 2}, {hanzi{"邵", "shao"}, 2},
	{hanzi{"万", "wan"}, 2}, {hanzi{"钱", "qian"}, 2}, {hanzi{"严", "yan"}, 2}, {hanzi{"武", "wu"}, 2},
	{hanzi{"戴", "dai"}, 2}, {hanzi{"孔", "kong"}, 1}, {hanzi{"汤", "tang"}, 1}, {hanzi{"欧阳", "ouyang"}, 1},
	{hanzi{"司马", "sima"}, 1}, {hanzi{"上官", "shangguan"}, 1}, {hanzi{"诸葛", "zhuge"}, 1},
}

type surnameEntry struct {
	hanzi
	weight int
}

// Given names follow the fashions of the decade of birth: a man born in
// 1950 is a 建国 far more often than a 子轩, and the reverse for 2000.
type era int

const (
	eraOld   era = iota // born before 1965
	eraMid              // 1965–1984
	eraYoung            // 1985 and later
)

var givenNames = [3][2][]hanzi{ // [era][0 female, 1 male]
	eraOld: {
		{{"秀英", "xiuying"}, {"桂英", "guiying"}, {"秀兰", "xiulan"}, {"玉兰", "yulan"}, {"淑珍", "shuzhen"}, {"桂兰", "guilan"},
			{"凤英", "fengying"}, {"淑芬", "shufen"}, {"秀珍", "xiuzhen"}, {"玉珍", "yuzhen"}, {"素芬", "sufen"}, {"丽华", "lihua"},
			{"建英", "jianying"}, {"红英", "hongying"}, {"美华", "meihua"}, {"慧芳", "huifang"}, {"兰", "lan"}, {"英", "ying"},
			{"珍", "zhen"}, {"淑华", "shuhua"}, {"玉梅", "yumei"}, {"桂芳", "guifang"}},
		{{"建国", "jianguo"}, {"国强", "guoqiang"}, {"建华", "jianhua"}, {"志强", "zhiqiang"}, {"德明", "deming"}, {"国庆", "guoqing"},
			{"卫东", "weidong"}, {"振华", "zhenhua"}, {"福生", "fusheng"}, {"长林", "changlin"}, {"建军", "jianjun"}, {"永明", "yongming"},
			{"文斌", "wenbin"}, {"庆华", "qinghua"}, {"树林", "shulin"}, {"金山", "jinshan"}, {"宝华", "baohua"}, {"学军", "xuejun"},
			{"明", "ming"}, {"军", "jun"}, {"斌", "bin"}, {"平", "ping"}, {"刚", "gang"}, {"德华", "dehua"}},
	},
	eraMid: {
		{{"静", "jing"}, {"丽", "li"}, {"敏", "min"}, {"燕", "yan"}, {"艳", "yan"}, {"娟", "juan"}, {"霞", "xia"}, {"芳", "fang"},
			{"红梅", "hongmei"}, {"海燕", "haiyan"}, {"丽娟", "lijuan"}, {"晓燕", "xiaoyan"}, {"春梅", "chunmei"}, {"雪梅", "xuemei"},
			{"丽萍", "liping"}, {"小红", "xiaohong"}, {"秀梅", "xiumei"}, {"晓丽", "xiaoli"}, {"慧", "hui"}, {"婷", "ting"},
			{"颖", "ying"}, {"晓琳", "xiaolin"}, {"红霞", "hongxia"}, {"娜", "na"}, {"丹", "dan"}, {"文静", "wenjing"}},
		{{"伟", "wei"}, {"磊", "lei"}, {"军", "jun"}, {"勇", "yong"}, {"涛", "tao"}, {"强", "qiang"}, {"杰", "jie"}, {"斌", "bin"},
			{"超", "chao"}, {"鹏", "peng"}, {"辉", "hui"}, {"刚", "gang"}, {"海涛", "haitao"}, {"晓东", "xiaodong"}, {"建平", "jianping"},
			{"志刚", "zhigang"}, {"国栋", "guodong"}, {"海峰", "haifeng"}, {"振宇", "zhenyu"}, {"立新", "lixin"}, {"永刚", "yonggang"},
			{"春雷", "chunlei"}, {"晓峰", "xiaofeng"}, {"文杰", "wenjie"}, {"明辉", "minghui"}, {"俊峰", "junfeng"}},
	},
	eraYoung: {
		{{"欣怡", "xinyi"}, {"梓涵", "zihan"}, {"雨桐", "yutong"}, {"思雨", "siyu"}, {"佳怡", "jiayi"}, {"诗涵", "shihan"},
			{"雨欣", "yuxin"}, {"可欣", "kexin"}, {"婉婷", "wanting"}, {"梦瑶", "mengyao"}, {"晓雪", "xiaoxue"}, {"佳琪", "jiaqi"},
			{"思琪", "siqi"}, {"雅琪", "yaqi"}, {"欣妍", "xinyan"}, {"悦", "yue"}, {"琳", "lin"}, {"倩", "qian"}, {"璐", "lu"},
			{"萌", "meng"}, {"瑶", "yao"}, {"一诺", "yinuo"}, {"若曦", "ruoxi"}, {"雨萱", "yuxuan"}, {"子涵", "zihan"}},
		{{"浩然", "haoran"}, {"子轩", "zixuan"}, {"宇轩", "yuxuan"}, {"俊杰", "junjie"}, {"博文", "bowen"}, {"一鸣", "yiming"},
			{"天宇", "tianyu"}, {"浩宇", "haoyu"}, {"明轩", "mingxuan"}, {"子豪", "zihao"}, {"文博", "wenbo"}, {"宇航", "yuhang"},
			{"晨阳", "chenyang"}, {"嘉豪", "jiahao"}, {"思远", "siyuan"}, {"凯", "kai"}, {"鑫", "xin"}, {"昊", "hao"}, {"帅", "shuai"},
			{"宁", "ning"}, {"健", "jian"}, {"睿", "rui"}, {"泽宇", "zeyu"}, {"志豪", "zhihao"}, {"家乐", "jiale"}},
	},
}

// Mailbox providers with the rough share Chinese users give them.
var mailDomains = []mailDomain{
	{"qq.com", 30}, {"163.com", 24}, {"126.com", 10}, {"sina.com", 6}, {"foxmail.com", 6},
	{"139.com", 5}, {"outlook.com", 6}, {"hotmail.com", 3}, {"gmail.com", 3}, {"aliyun.com", 4}, {"sohu.com", 3},
}

type mailDomain struct {
	domain string
	weight int
}

// Streets that exist in most Chinese cities, so any area code takes them.
var streets = []string{
	"建国路", "人民路", "解放路", "中山路", "和平路", "新华路", "长江路", "黄河路", "文化路", "学府路", "光明路",
	"建设路", "朝阳路", "胜利路", "东风路", "青年路", "幸福路", "滨江路", "科技路", "工业大道", "世纪大道",
	"迎宾大道", "金沙路", "东方路", "南京路", "北京路", "友谊路", "花园路", "体育路", "民主路",
}

var residences = []string{
	"阳光花园", "翠苑小区", "锦绣华庭", "碧水湾", "金色家园", "幸福里", "滨江花园", "世纪新城", "紫荆苑", "丽景湾",
	"书香门第", "和平里小区", "桃园新村", "绿地花都", "御景华府", "香樟苑", "春华苑", "怡和园", "凤凰城", "天悦府",
}

var officeBuildings = []string{
	"国际金融中心", "环球贸易广场", "时代广场", "财富中心", "科技园", "创新大厦", "商务中心", "国贸大厦", "软件园", "总部基地",
}

// Company name parts: 字号 (trade name) with pinyin for the web domain, and
// 行业 (industry) as the registry spells it.
var tradeNames = []hanzi{
	{"华信", "huaxin"}, {"恒泰", "hengtai"}, {"鼎盛", "dingsheng"}, {"宏达", "hongda"}, {"金桥", "jinqiao"},
	{"天成", "tiancheng"}, {"瑞丰", "ruifeng"}, {"远航", "yuanhang"}, {"德润", "derun"}, {"中联", "zhonglian"},
	{"新锐", "xinrui"}, {"博雅", "boya"}, {"嘉禾", "jiahe"}, {"汇通", "huitong"}, {"永信", "yongxin"},
	{"盛世", "shengshi"}, {"海川", "haichuan"}, {"启明", "qiming"}, {"正泰", "zhengtai"}, {"广源", "guangyuan"},
}

var industries = []hanzi{
	{"精密机械", "jm"}, {"物流", "wl"}, {"网络科技", "tech"}, {"建材贸易", "jc"}, {"食品", "food"},
	{"医疗器械", "med"}, {"电子科技", "dz"}, {"建筑工程", "jz"}, {"汽车服务", "auto"}, {"纺织", "fz"},
	{"化工", "chem"}, {"餐饮管理", "cy"}, {"物业管理", "wy"}, {"电力设备", "dl"}, {"国际贸易", "trade"},
}

// Banks whose debit cards customers use for premium collection, weighted by
// their share of retail accounts.
var banks = []bank{
	{"中国工商银行", 20}, {"中国建设银行", 18}, {"中国农业银行", 15}, {"中国银行", 12}, {"招商银行", 9},
	{"交通银行", 6}, {"中国邮政储蓄银行", 6}, {"兴业银行", 3}, {"上海浦东发展银行", 3}, {"中信银行", 3},
	{"中国民生银行", 2}, {"平安银行", 3},
}

type bank struct {
	name   string
	weight int
}

// visitors are customers known by a passport or a travel permit instead of
// a resident ID. Their names follow their own conventions (traditional
// characters in Hong Kong, Macau and Taiwan; Latin script abroad).
var visitors = []struct {
	name    string
	male    bool
	docType string // "passport", "hk", "mo", "tw"
	prefix  string // letters that start the document number
	digits  int
	email   string
	city    string // area code where they live
}{
	{"Michael Brown", true, "passport", "5", 8, "michael.brown@gmail.com", "310115"},
	{"Emma Schmidt", false, "passport", "C", 8, "emma.schmidt@web.de", "110105"},
	{"田中洋子", false, "passport", "TK", 7, "yoko.tanaka@yahoo.co.jp", "310104"},
	{"KIM MINJUN", true, "passport", "M", 8, "", "370202"},
	{"陈志明", true, "passport", "E", 8, "chenzm1972@gmail.com", "350203"},
	{"陳家豪", true, "hk", "H", 8, "kaho.chan@yahoo.com.hk", "440304"},
	{"黃嘉欣", false, "hk", "H", 10, "", "440305"},
	{"梁志偉", true, "mo", "M", 8, "", "440103"},
	{"林怡君", false, "tw", "", 8, "yichun.lin@gmail.com", "350102"},
}
