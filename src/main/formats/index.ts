// Label formats in and out: COCO JSON, YOLO txt, Pascal VOC XML, WIDER FACE and dlib imglab XML. Each format is one
// module with the same shape (`parse` a file into a LabelSet, `write` a LabelSet into files); import and export
// connect them to the store.
export { parse as parseCoco, write as writeCoco } from './coco.js'
export { parse as parseDlib, write as writeDlib } from './dlib.js'
export { parse as parseVoc, write as writeVoc } from './voc.js'
export { parse as parseWider, write as writeWider } from './wider.js'
export { parse as parseYolo, parseClasses as parseYoloClasses, write as writeYolo } from './yolo.js'
export { detectFormat, FORMATS, isFormatName } from './detect.js'
export { importLabels, type ImportLabelsOptions, type ImportLabelsResult } from './import.js'
export { DEFAULT_EXPORT_SOURCES, exportLabels, type ExportLabelsOptions, type ExportLabelsResult } from './export.js'
export {
  FORMAT_NAMES,
  LabelFileError,
  type FormatName,
  type LabelBox,
  type LabelImage,
  type LabelSet,
  type Origin,
  type OutputFile,
  type SizedLabelSet,
} from './label-set.js'
export { parseTagColumns, parseTagsCsv, writeTagsCsv, type TagRowOfCsv, type TagsCsv } from './tags-csv.js'
export {
  exportTags,
  importTags,
  readTagsCsv,
  TAGS_CSV_FILE,
  type ExportTagsOptions,
  type ExportTagsResult,
  type ImportTagsOptions,
  type ImportTagsResult,
} from './tags.js'
