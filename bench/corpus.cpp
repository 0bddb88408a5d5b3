#include "corpus.hpp"

#include <cstdio>
#include <string>

namespace chatqa_bench {
namespace {

using Strings = std::vector<std::string>;

// ---- Chinese material --------------------------------------------------------

const Strings kZhGreetings = {
    "您好,很高兴为您服务,请问有什么可以帮您?", "您好,欢迎光临,请问有什么可以帮到您的吗?",
    "您好,{agent}号客服为您服务,请问有什么可以帮您?", "亲,您好,我是客服小美,很高兴为您服务~", "在的亲,请问有什么可以帮您?",
};
const Strings kZhCustomerOpen = {
    "在吗?", "你好", "在不在", "客服在吗,我想问一下订单的事", "你好,我昨天下的单什么时候发货?", "我的快递怎么还没到",
    "请问这个商品有货吗", "我要退货", "这个优惠券怎么用不了", "你好,发票怎么开?", "我买的东西坏了", "人工客服",
};
const Strings kZhCustomer = {
    "我的订单号是{order},帮我查一下物流", "已经三天了还没发货", "能不能便宜一点", "这个尺码偏大还是偏小?",
    "好的,谢谢", "那我什么时候能收到?", "可以开增值税专用发票吗", "收到的商品有划痕,怎么处理",
    "我已经等了很久了", "退款什么时候到账?", "能换个颜色吗", "为什么显示已签收,我没有收到啊",
    "你们的售后电话是多少", "地址填错了,能改一下吗,改成{city}", "优惠券提示不满足使用条件", "好的",
    "嗯嗯", "明白了", "我手机号是{phone},你们可以打给我", "这个和上次买的不一样", "赠品什么时候补发?",
    "我刚才问的问题你还没回答", "算了,不要了", "这个支持七天无理由退货吗", "怎么申请价格保护",
};
const Strings kZhAgent = {
    "好的,请您稍等,我这边帮您查询一下", "感谢您的耐心等待,您的订单已经发货了,快递单号是{order}",
    "亲,这边看到您的包裹正在派送中,预计今天送达", "非常抱歉给您带来不便,我马上为您处理",
    "这款商品目前有现货,下单后48小时内发货", "您可以在订单详情页点击申请售后,选择退货退款",
    "优惠券需要满199元才能使用,您当前订单金额不满足条件", "发票可以在订单完成后在个人中心申请开具",
    "尺码是标准尺码,建议您按平时的尺码选择", "退款会在审核通过后1到3个工作日原路退回",
    "已经帮您备注修改地址了,请您放心", "赠品会随下一批一起补发,请您留意物流信息",
    "您的问题我已经记录下来,会有专人在24小时内联系您", "好的呢亲,还有什么可以帮到您的吗?",
    "这个需要同相关人员确认一下,请您稍等", "商品支持七天无理由退换,请保持商品完好",
    "价格保护需要在签收后7天内申请,我帮您提交一下", "麻烦您提供一下订单号,我这边帮您核实",
    "实在抱歉,这个颜色暂时缺货,到货后第一时间通知您", "请问还有其他问题吗?",
};
const Strings kZhClosing = {
    "感谢您的咨询,祝您生活愉快!请稍后为我的服务做出评价", "感谢您的耐心,祝您购物愉快,再见~",
    "请问还有什么可以帮到您的吗?如果没有,请对本次服务进行评价,谢谢", "好的,那先这样,有问题随时联系我们,再见",
};
const Strings kZhFiller = {
    "我们", "这边", "订单", "物流", "已经", "帮您", "处理", "一下", "商品", "快递", "请您", "售后", "确认", "时间",
    "今天", "明天", "地址", "信息", "系统", "显示", "退款", "申请", "客服", "问题", "可以", "需要", "麻烦", "谢谢",
    "优惠", "活动", "价格", "质量", "颜色", "尺码", "库存", "发货", "仓库", "包装", "门店", "会员", "积分", "账户",
};
// Banned phrases as the shipped zh-CN rule set lists them (推诿 / 傲慢 / 反问 / fatal).
const Strings kZhBanned = {"不知道", "不清楚", "不是我处理的", "这不关我的事", "你找别的部门问", "公司就是这样规定的",
                           "不行就是不行", "有意见找领导去", "爱买不买", "你自己不会看吗", "你到底想怎么样", "我也没有办法"};
const Strings kZhTypos = {"按装", "既使如此", "再接再励", "迫不急待", "帐号", "帐户", "按装包", "付款帐户"};
const Strings kZhCities = {"上海市浦东新区", "北京市朝阳区", "广州市天河区", "深圳市南山区", "杭州市西湖区", "成都市武侯区"};

// ---- English material --------------------------------------------------------

const Strings kEnGreetings = {"Hello, thank you for contacting us. How can I help you today?",
                              "Hi there! My name is Alex, how may I assist you?",
                              "Good morning, you're chatting with agent {agent}. What can I do for you?"};
const Strings kEnCustomer = {
    "hi, where is my order {order}?", "It has been a week and nothing arrived", "Can I get a refund?",
    "The item arrived damaged", "ok thanks", "How long does shipping take to Canada?", "I was charged twice",
    "can you change my address", "what's the status of my return", "This is ridiculous, I want a manager",
    "Do you have this in blue?", "my coupon code doesn't work", "thank you!", "I'll wait",
};
const Strings kEnAgent = {
    "Let me check that for you, one moment please.", "Thank you for waiting. Your order shipped yesterday.",
    "I'm sorry for the inconvenience, I'll process the refund right away.",
    "Refunds usually take 3-5 business days to appear on your statement.",
    "I've updated the shipping address on your order.", "Could you share your order number so I can look it up?",
    "That color is currently out of stock, but we expect more next week.",
    "I understand how frustrating this must be.", "Is there anything else I can help you with?",
    "I have escalated this to our billing team; they'll contact you within 24 hours.",
};
const Strings kEnClosing = {"Thank you for chatting with us, have a great day!",
                            "Thanks for your patience. Please rate our conversation when you have a moment."};
const Strings kEnFiller = {"order", "shipping", "refund", "account", "please", "today", "item", "package",
                           "tracking", "delivery", "payment", "store", "support", "update", "team", "week"};
const Strings kEnBanned = {"calm down", "whatever", "not my problem", "I don't know", "that's not my job"};
const Strings kEnTypos = {"recieve", "seperate", "definately", "adress", "teh", "wich", "untill", "tommorow"};

const std::u32string kCommonHan =
    U"的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天"
    U"而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些"
    U"与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相"
    U"次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立";

std::size_t cp_length(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// Code points of UTF-8 `s` (the generator's own strings are valid UTF-8).
std::u32string decode(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += len;
  }
  return out;
}

std::string encode(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) append_utf8(out, c);
  return out;
}

void json_escape(std::string& out, const std::string& s) {
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out.push_back(c);
    }
  }
}

// An evasion of `phrase`: spaces, punctuation, emoji or zero-width characters between its characters.
std::string evade(Rng& rng, const std::string& phrase) {
  static const Strings kSeparators = {" ", "*", ".", "😊", "\u200B", "\u3000", "-", "~"};
  const std::u32string cps = decode(phrase);
  const std::string sep = rng.pick(kSeparators);
  const bool every = rng.chance(0.5);
  std::string out;
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (i > 0 && cps[i] != U' ' && cps[i - 1] != U' ' && (every || i == 1)) out += sep;
    append_utf8(out, cps[i]);
  }
  return out;
}

struct Context {
  std::string order, phone, agent, city;
};

std::string fill(Rng& rng, std::string s, const Context& ctx) {
  auto replace = [&s](const std::string& key, const std::string& value) {
    for (auto pos = s.find(key); pos != std::string::npos; pos = s.find(key, pos + value.size())) {
      s.replace(pos, key.size(), value);
    }
  };
  replace("{order}", ctx.order);
  replace("{phone}", ctx.phone);
  replace("{agent}", ctx.agent);
  replace("{city}", ctx.city);
  (void)rng;
  return s;
}

// A message of 5-200 characters built from a template plus filler words.
std::string message_text(Rng& rng, const std::string& base, const Strings& filler, bool english, std::size_t target_cps) {
  std::string text = base;
  std::size_t n = cp_length(text);
  while (n < target_cps) {
    const std::string& w = rng.pick(filler);
    std::string add = english ? " " + w : w;
    if (rng.chance(0.15)) add += english ? "," : ",";
    text += add;
    n += cp_length(add);
  }
  if (n > 200) text = encode(decode(text).substr(0, 200));
  return text;
}

std::string iso_time(std::int64_t epoch_s) {
  // Civil date from days since the epoch (Howard Hinnant's algorithm); offset +08:00.
  const std::int64_t local = epoch_s + 8 * 3600;
  std::int64_t days = local / 86400;
  const std::int64_t secs = local % 86400;
  days += 719468;
  const std::int64_t era = days / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = yoe + era * 400;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld+08:00", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

std::string session_json(Rng& rng, std::uint64_t index, double english_share) {
  const bool english = rng.chance(english_share);
  Context ctx;
  ctx.order = std::to_string(rng.between(100000000000ull, 999999999999ull));
  ctx.phone = "1" + std::to_string(rng.between(3, 9)) + std::to_string(rng.between(100000000, 999999999));
  ctx.agent = std::to_string(rng.between(100, 999));
  ctx.city = rng.pick(kZhCities);
  // 2024-05-01 .. 2024-05-31, 08:00 .. 22:59 local time.
  std::int64_t t = 1714492800 + static_cast<std::int64_t>(rng.between(0, 30)) * 86400 +
                   static_cast<std::int64_t>(rng.between(0, 15 * 3600 - 1));
  const std::size_t count = rng.between(5, 60);
  std::string out;
  out.reserve(count * 160);
  char id[32];
  std::snprintf(id, sizeof id, "S-%08llu", static_cast<unsigned long long>(index));
  out += "{\"id\":\"";
  out += id;
  out += "\",\"agent\":\"A" + ctx.agent + "\",\"team\":\"" + (english ? "global-" : "presale-") +
         std::to_string(rng.between(1, 6)) + "\",\"meta\":{\"channel\":\"" + (rng.chance(0.7) ? "web" : "app") +
         "\"},\"messages\":[";
  const Strings& banned = english ? kEnBanned : kZhBanned;
  const Strings& typos = english ? kEnTypos : kZhTypos;
  const Strings& filler = english ? kEnFiller : kZhFiller;
  bool customer_turn = true;
  for (std::size_t i = 0; i < count; ++i) {
    const bool last = i + 1 == count;
    std::string role = customer_turn ? "customer" : "agent";
    std::string base;
    if (i == 0) {
      base = rng.pick(english ? kEnCustomer : kZhCustomerOpen);
    } else if (i == 1) {
      base = rng.pick(english ? kEnGreetings : kZhGreetings);
    } else if (!customer_turn && last) {
      base = rng.pick(english ? kEnClosing : kZhClosing);
    } else {
      base = rng.pick(customer_turn ? (english ? kEnCustomer : kZhCustomer) : (english ? kEnAgent : kZhAgent));
    }
    base = fill(rng, base, ctx);
    // Target length: mostly short chat lines, some long explanations (5..200 code points).
    const std::size_t target = rng.chance(0.75) ? rng.between(5, 40) : rng.between(40, 200);
    std::string text = message_text(rng, base, filler, english, target);
    if (!customer_turn) {
      if (rng.chance(0.03)) text += (english ? " " : ",") + rng.pick(banned);
      if (rng.chance(0.01)) text += (english ? " " : "") + evade(rng, rng.pick(banned));
      if (rng.chance(0.03)) text += (english ? " " : "") + rng.pick(typos);
    }
    out += i ? ",{\"role\":\"" : "{\"role\":\"";
    out += role;
    out += "\",\"time\":\"" + iso_time(t) + "\",\"text\":\"";
    json_escape(out, text);
    out += "\"}";
    // Reply delays: agents mostly 3-40 s, sometimes slow; customers 5-120 s.
    t += customer_turn ? (rng.chance(0.9) ? rng.between(3, 40) : rng.between(40, 180)) : rng.between(5, 120);
    // Sometimes the same side writes twice in a row.
    if (!rng.chance(0.2)) customer_turn = !customer_turn;
  }
  out += "]}\n";
  return out;
}

}  // namespace

std::uint64_t write_corpus(const CorpusOptions& options, std::ostream& out) {
  Rng rng(options.seed);
  std::uint64_t written = 0, sessions = 0;
  while (written < options.bytes) {
    const std::string line = session_json(rng, sessions + 1, options.english_share);
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    written += line.size();
    ++sessions;
  }
  return sessions;
}

const std::vector<std::string>& sprinkled_banned_phrases() {
  static const Strings all = [] {
    Strings v = kZhBanned;
    v.insert(v.end(), kEnBanned.begin(), kEnBanned.end());
    return v;
  }();
  return all;
}

std::vector<std::string> scaling_phrases(std::size_t count, std::uint64_t seed) {
  Strings out = sprinkled_banned_phrases();
  if (out.size() > count) out.resize(count);
  Rng rng(seed);
  static const Strings kLatin = {"refund", "manager", "lawsuit", "scam", "idiot", "stupid", "garbage", "useless",
                                 "liar", "fraud", "cheat", "rubbish", "terrible", "awful", "nonsense", "whatever"};
  while (out.size() < count) {
    if (rng.chance(0.05)) {
      out.push_back(rng.pick(kLatin) + " " + rng.pick(kLatin) + std::to_string(rng.between(0, 99)));
      continue;
    }
    std::u32string p;
    const std::size_t len = rng.between(3, 6);
    for (std::size_t k = 0; k < len; ++k) p.push_back(kCommonHan[rng.next() % kCommonHan.size()]);
    out.push_back(encode(p));
  }
  return out;
}

}  // namespace chatqa_bench
