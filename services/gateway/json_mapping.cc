#include "services/gateway/json_mapping.h"

#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "gridwork/core/json_escape.h"
#include "services/gateway/linked_protos.h"

namespace gridwork::gateway {
namespace {

namespace pb = google::protobuf;

std::unique_ptr<pb::Message> NewMessage(const pb::Descriptor* d) {
  const pb::Message* proto = pb::MessageFactory::generated_factory()->GetPrototype(d);
  return std::unique_ptr<pb::Message>(proto->New());
}

// JSON literal of `value` for a field of type `f`: numbers and booleans bare (the parser
// validates them), everything else a quoted string.
std::string JsonValue(const pb::FieldDescriptor* f, const std::string& value) {
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_BOOL:
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
      if (!value.empty() && value.find_first_of("{}[]\",:") == std::string::npos) return value;
      break;
    default:
      break;
  }
  std::string out;
  AppendJsonString(value, &out);
  return out;
}

// Timestamp and Duration: messages whose JSON form is one string ("2026-11-01T00:00:00Z",
// "1.5s"), so one query parameter can carry them (a stream's window, its interval).
bool IsStringValuedMessage(const pb::FieldDescriptor* f) {
  if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || f->is_map()) return false;
  const std::string& type = f->message_type()->full_name();
  return type == "google.protobuf.Timestamp" || type == "google.protobuf.Duration";
}

}  // namespace

const pb::MethodDescriptor* FindMethod(absl::string_view method) {
  LinkServiceProtos();
  absl::ConsumePrefix(&method, "/");
  std::string dotted = absl::StrReplaceAll(method, {{"/", "."}});
  return pb::DescriptorPool::generated_pool()->FindMethodByName(dotted);
}

absl::StatusOr<std::string> JsonToRequestBytes(const pb::MethodDescriptor* m,
                                               absl::string_view json) {
  std::unique_ptr<pb::Message> msg = NewMessage(m->input_type());
  if (!json.empty()) {
    pb::util::JsonParseOptions opts;
    opts.ignore_unknown_fields = false;
    auto st =
        pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), msg.get(), opts);
    if (!st.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("request body is not a valid ",
                                                     m->input_type()->full_name(), ": ",
                                                     std::string(st.message())));
    }
  }
  return msg->SerializeAsString();
}

absl::StatusOr<std::string> QueryToRequestBytes(
    const pb::MethodDescriptor* m, const std::vector<std::pair<std::string, std::string>>& params) {
  const pb::Descriptor* d = m->input_type();
  std::map<const pb::FieldDescriptor*, std::vector<std::string>> values;
  for (const auto& [name, value] : params) {
    const pb::FieldDescriptor* f = d->FindFieldByName(name);
    for (int i = 0; f == nullptr && i < d->field_count(); ++i) {
      if (d->field(i)->json_name() == name) f = d->field(i);
    }
    if (f == nullptr ||
        (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && !IsStringValuedMessage(f))) {
      return absl::InvalidArgumentError(absl::StrCat("query parameter '", name,
                                                     "' is not a scalar, Timestamp or Duration "
                                                     "field of ",
                                                     d->full_name()));
    }
    values[f].push_back(JsonValue(f, value));
  }
  std::string json = "{";
  bool first = true;
  for (const auto& [f, vs] : values) {
    if (!first) json += ",";
    first = false;
    AppendJsonString(f->json_name(), &json);
    json += ":";
    if (f->is_repeated()) {
      json += "[";
      for (size_t i = 0; i < vs.size(); ++i) absl::StrAppend(&json, i ? "," : "", vs[i]);
      json += "]";
    } else {
      json += vs.back();
    }
  }
  json += "}";
  return JsonToRequestBytes(m, json);
}

absl::StatusOr<std::string> ResponseBytesToJson(const pb::MethodDescriptor* m,
                                                absl::string_view bytes) {
  std::unique_ptr<pb::Message> msg = NewMessage(m->output_type());
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError("response does not parse as " + m->output_type()->full_name());
  }
  pb::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  opts.always_print_primitive_fields = true;
  std::string out;
  auto st = pb::util::MessageToJsonString(*msg, &out, opts);
  if (!st.ok()) return absl::InternalError(std::string(st.message()));
  return out;
}

}  // namespace gridwork::gateway
