#include "gridwork/core/routing_config.h"

#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gridwork/core/status_macros.h"

namespace gridwork {
namespace {

// ---- the YAML subset -------------------------------------------------------------------

struct Node {
  int line = 0;
  bool is_map = false;
  bool is_list = false;
  std::string scalar;
  std::vector<std::string> list;
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> map;

  const Node* Find(absl::string_view key) const {
    for (const auto& [k, v] : map) {
      if (k == key) return v.get();
    }
    return nullptr;
  }
};

struct Line {
  int no;
  int indent;
  std::string key;
  std::string value;  // empty: a mapping follows
};

absl::Status LineError(int no, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("routing file line ", no, ": ", what));
}

// Removes a trailing comment (a '#' at the start or after whitespace, outside quotes).
std::string StripComment(absl::string_view s) {
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#' && (i == 0 || s[i - 1] == ' ')) {
      return std::string(s.substr(0, i));
    }
  }
  return std::string(s);
}

absl::StatusOr<std::string> Unquote(absl::string_view s, int no) {
  s = absl::StripAsciiWhitespace(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return std::string(s.substr(1, s.size() - 2));
  }
  if (!s.empty() && (s.front() == '"' || s.front() == '\'')) {
    return LineError(no, "unterminated quoted scalar");
  }
  for (char c : s) {
    if (c == '"' || c == '\'' || c == '[' || c == ']' || c == '{' || c == '}' || c == '&' ||
        c == '*' || c == '|' || c == '>') {
      return LineError(
          no, absl::StrCat("unsupported character '", std::string(1, c), "' in a plain scalar"));
    }
  }
  return std::string(s);
}

absl::StatusOr<std::vector<Line>> SplitLines(absl::string_view text) {
  std::vector<Line> out;
  int no = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string line = StripComment(raw);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    if (line[indent] == '\t') return LineError(no, "tabs are not allowed for indentation");
    absl::string_view body = absl::StripAsciiWhitespace(absl::string_view(line).substr(indent));
    if (body == "---") continue;
    if (absl::StartsWith(body, "- ") || body == "-") {
      return LineError(no, "block sequences ('- item') are not supported; write [a, b]");
    }
    size_t colon = std::string::npos;
    char quote = 0;
    for (size_t i = 0; i < body.size(); ++i) {
      if (quote != 0) {
        if (body[i] == quote) quote = 0;
      } else if (body[i] == '"' || body[i] == '\'') {
        quote = body[i];
      } else if (body[i] == ':' && (i + 1 == body.size() || body[i + 1] == ' ')) {
        colon = i;
        break;
      }
    }
    if (colon == std::string::npos) return LineError(no, "expected 'key: value' or 'key:'");
    GW_ASSIGN_OR_RETURN(std::string key, Unquote(body.substr(0, colon), no));
    if (key.empty()) return LineError(no, "empty key");
    out.push_back({no, static_cast<int>(indent), key,
                   std::string(absl::StripAsciiWhitespace(body.substr(colon + 1)))});
  }
  return out;
}

absl::StatusOr<std::unique_ptr<Node>> ParseValue(const std::string& v, int no) {
  auto n = std::make_unique<Node>();
  n->line = no;
  if (v.front() == '[') {
    if (v.back() != ']') return LineError(no, "a flow list must end with ']' on the same line");
    n->is_list = true;
    absl::string_view inner = absl::string_view(v).substr(1, v.size() - 2);
    if (absl::StripAsciiWhitespace(inner).empty()) return n;
    for (absl::string_view item : absl::StrSplit(inner, ',')) {
      GW_ASSIGN_OR_RETURN(std::string s, Unquote(item, no));
      if (s.empty()) return LineError(no, "empty item in a flow list");
      n->list.push_back(std::move(s));
    }
    return n;
  }
  GW_ASSIGN_OR_RETURN(n->scalar, Unquote(v, no));
  return n;
}

absl::StatusOr<std::unique_ptr<Node>> ParseBlock(const std::vector<Line>& lines, size_t& i,
                                                 int indent) {
  auto block = std::make_unique<Node>();
  block->is_map = true;
  block->line = i < lines.size() ? lines[i].no : 0;
  while (i < lines.size() && lines[i].indent == indent) {
    const Line& l = lines[i++];
    std::unique_ptr<Node> child;
    if (l.value.empty()) {
      if (i < lines.size() && lines[i].indent > indent) {
        GW_ASSIGN_OR_RETURN(child, ParseBlock(lines, i, lines[i].indent));
      } else {
        child = std::make_unique<Node>();
        child->is_map = true;
        child->line = l.no;
      }
    } else {
      GW_ASSIGN_OR_RETURN(child, ParseValue(l.value, l.no));
    }
    if (block->Find(l.key) != nullptr) {
      return LineError(l.no, absl::StrCat("duplicate key '", l.key, "'"));
    }
    block->map.emplace_back(l.key, std::move(child));
  }
  if (i < lines.size() && lines[i].indent > indent) {
    return LineError(lines[i].no, "unexpected indentation");
  }
  return block;
}

// ---- the contract ----------------------------------------------------------------------

absl::Status Want(bool ok, const Node* n, absl::string_view what) {
  if (ok) return absl::OkStatus();
  return LineError(n != nullptr ? n->line : 0, what);
}

}  // namespace

uint64_t Fnv1a64(absl::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

absl::StatusOr<RoutingConfig> ParseRoutingConfig(absl::string_view text) {
  GW_ASSIGN_OR_RETURN(std::vector<Line> lines, SplitLines(text));
  if (lines.empty()) return absl::InvalidArgumentError("routing file is empty");
  if (lines[0].indent != 0) return LineError(lines[0].no, "unexpected indentation");
  size_t i = 0;
  GW_ASSIGN_OR_RETURN(std::unique_ptr<Node> root, ParseBlock(lines, i, 0));

  RoutingConfig c;
  static const std::set<std::string> kTopKeys = {"version", "worker_shards", "district_shards",
                                                 "services"};
  for (const auto& [k, v] : root->map) {
    GW_RETURN_IF_ERROR(
        Want(kTopKeys.count(k) == 1, v.get(), absl::StrCat("unknown key '", k, "'")));
  }
  const Node* version = root->Find("version");
  GW_RETURN_IF_ERROR(Want(version != nullptr, root.get(), "missing 'version'"));
  GW_RETURN_IF_ERROR(Want(version->scalar == "1", version, "only version 1 is understood"));
  c.version = 1;

  const Node* workers = root->Find("worker_shards");
  GW_RETURN_IF_ERROR(Want(workers != nullptr && workers->is_list && !workers->list.empty(),
                          workers != nullptr ? workers : root.get(),
                          "'worker_shards' must be a non-empty list of shard ids"));
  c.worker_shards = workers->list;
  GW_RETURN_IF_ERROR(
      Want(std::set<std::string>(c.worker_shards.begin(), c.worker_shards.end()).size() ==
               c.worker_shards.size(),
           workers, "worker shard ids must be unique"));

  const Node* districts = root->Find("district_shards");
  GW_RETURN_IF_ERROR(Want(districts != nullptr && districts->is_map && !districts->map.empty(),
                          districts != nullptr ? districts : root.get(),
                          "'district_shards' must map shard ids to lists of district codes"));
  for (const auto& [shard, list] : districts->map) {
    GW_RETURN_IF_ERROR(Want(list->is_list && !list->list.empty(), list.get(),
                            absl::StrCat("district shard '", shard,
                                         "' must list its district codes, e.g. [\"410105\"]")));
    c.district_shards.push_back(shard);
    for (const std::string& d : list->list) {
      GW_RETURN_IF_ERROR(Want(d.find('/') == std::string::npos, list.get(),
                              absl::StrCat("district code '", d, "' must not contain '/'")));
      auto [it, inserted] = c.district_shard.emplace(d, shard);
      GW_RETURN_IF_ERROR(Want(inserted, list.get(),
                              absl::StrCat("district ", d, " is in shards ", it->second, " and ",
                                           shard, "; each district belongs to one shard")));
    }
  }

  const Node* services = root->Find("services");
  GW_RETURN_IF_ERROR(Want(services != nullptr && services->is_map && !services->map.empty(),
                          services != nullptr ? services : root.get(),
                          "'services' must map service names to their routing"));
  static const std::set<std::string> kServices = {"location", "geofence", "workorder", "inspection",
                                                  "analytics"};
  for (const auto& [name, s] : services->map) {
    GW_RETURN_IF_ERROR(
        Want(kServices.count(name) == 1, s.get(),
             absl::StrCat("unknown service '", name, "' (", absl::StrJoin(kServices, ", "), ")")));
    GW_RETURN_IF_ERROR(Want(s->is_map, s.get(), absl::StrCat("service ", name, " needs a map")));
    const Node* key = s->Find("key");
    const Node* shards = s->Find("shards");
    GW_RETURN_IF_ERROR(
        Want(key != nullptr && (key->scalar == "worker" || key->scalar == "district"),
             key != nullptr ? key : s.get(),
             absl::StrCat("service ", name, ": key must be worker or district")));
    GW_RETURN_IF_ERROR(
        Want(shards != nullptr && shards->is_map, shards != nullptr ? shards : s.get(),
             absl::StrCat("service ", name, ": 'shards' must map shard ids to host:port")));
    for (const auto& [k, v] : s->map) {
      GW_RETURN_IF_ERROR(Want(k == "key" || k == "shards", v.get(),
                              absl::StrCat("service ", name, ": unknown key '", k, "'")));
    }
    ServiceRouting r;
    r.key = key->scalar == "worker" ? ShardKey::kWorker : ShardKey::kDistrict;
    const std::vector<std::string>& order =
        r.key == ShardKey::kWorker ? c.worker_shards : c.district_shards;
    for (const auto& [shard, addr] : shards->map) {
      GW_RETURN_IF_ERROR(
          Want(std::find(order.begin(), order.end(), shard) != order.end(), addr.get(),
               absl::StrCat("service ", name, ": shard ", shard, " is not one of ", key->scalar,
                            " shards [", absl::StrJoin(order, ", "), "]")));
      GW_RETURN_IF_ERROR(
          Want(!addr->is_map && !addr->is_list && !addr->scalar.empty() &&
                   addr->scalar.find(':') != std::string::npos,
               addr.get(), absl::StrCat("service ", name, ": shard ", shard, " needs host:port")));
    }
    for (const std::string& shard : order) {
      const Node* addr = shards->Find(shard);
      GW_RETURN_IF_ERROR(Want(addr != nullptr, shards,
                              absl::StrCat("service ", name, ": no address for shard ", shard)));
      r.shards.emplace_back(shard, addr->scalar);
    }
    c.services.emplace(name, std::move(r));
  }
  return c;
}

absl::StatusOr<RoutingConfig> LoadRoutingConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read routing file ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<RoutingConfig> c = ParseRoutingConfig(ss.str());
  if (!c.ok()) {
    return absl::Status(c.status().code(), absl::StrCat(path, ": ", c.status().message()));
  }
  return c;
}

const std::string& WorkerShardOf(const RoutingConfig& config, absl::string_view worker_id) {
  return config.worker_shards[Fnv1a64(worker_id) % config.worker_shards.size()];
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ServiceShards(
    const RoutingConfig& config, absl::string_view service) {
  auto it = config.services.find(std::string(service));
  if (it == config.services.end()) {
    std::vector<std::string> names;
    for (const auto& [name, routing] : config.services) names.push_back(name);
    return absl::NotFoundError(absl::StrCat("the routing file has no service '", service,
                                            "' (it routes ", absl::StrJoin(names, ", "), ")"));
  }
  return it->second.shards;
}

absl::StatusOr<std::string> ShardAddress(const RoutingConfig& config, absl::string_view service,
                                         absl::string_view shard) {
  GW_ASSIGN_OR_RETURN(auto shards, ServiceShards(config, service));
  std::vector<std::string> ids;
  for (const auto& [id, address] : shards) {
    if (id == shard) return address;
    ids.push_back(id);
  }
  return absl::NotFoundError(absl::StrCat("the routing file has no shard '", shard, "' of ",
                                          service, " (its shards: ", absl::StrJoin(ids, ", "),
                                          ")"));
}

}  // namespace gridwork
